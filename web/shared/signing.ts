import type { OpenApiView, PageConfig } from '../../lib/core/pages/PageConfig';

export type ApiAuth = { type: 'sigv4'; region: string } | { type: 'jwt' } | { type: 'none' };

/** How calls from this page must be signed: as the API wants, except on the local emulator, which checks nothing. */
export function callAuthOf(config: PageConfig): ApiAuth {
  return config.emulated ? { type: 'none' } : authOf(config);
}

/** How the API wants its calls signed, from the document's security schemes (lib/core/openapi/securitySchemes.ts). */
export function authOf(config: PageConfig): ApiAuth {
  const schemes = Object.values(config.document.components?.securitySchemes ?? {});
  if (schemes.some((s) => s['x-amazon-apigateway-authtype'] === 'awsSigv4')) return { type: 'sigv4', region: regionOf(config) };
  if (schemes.some((s) => s.type === 'http' && s.scheme === 'bearer')) return { type: 'jwt' };
  return { type: 'none' };
}

/** The region the server knows (its AWS_REGION), else the one in an execute-api host name. */
function regionOf(config: PageConfig): string {
  return config.region ?? /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(location.hostname)?.[1] ?? 'us-east-1';
}

export interface CurlRequest {
  method: 'GET' | 'POST';
  url: string;
  contentType?: string;
  /** `--data-binary @file` for a file, `-d '<json>'` for JSON text. */
  file?: string;
  json?: string;
}

/**
 * The request as a curl line that works from a shell: signed with curl's own SigV4
 * (`--aws-sigv4`, curl 7.75+) under IAM, with a bearer token under JWT.
 */
export function curlLine(req: CurlRequest, auth: ApiAuth): string {
  const parts = ['curl -s'];
  if (req.method !== 'GET') parts.push(`-X ${req.method}`);
  parts.push(...authFlags(auth));
  if (req.contentType) parts.push(`-H ${quote(`content-type: ${req.contentType}`)}`);
  if (req.file !== undefined) parts.push(`--data-binary ${quote(`@${req.file}`)}`);
  if (req.json !== undefined) parts.push(`-d ${quote(req.json)}`);
  parts.push(quote(req.url));
  return parts.join(' ');
}

/** awscurl's form of a signed GET (pip install awscurl): the shortest way to try SigV4. */
export function awscurlLine(url: string, region: string): string {
  return `awscurl --service execute-api --region ${region} ${quote(url)}`;
}

function authFlags(auth: ApiAuth): string[] {
  switch (auth.type) {
    case 'sigv4':
      return [
        `--aws-sigv4 ${quote(`aws:amz:${auth.region}:execute-api`)}`,
        '--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"',
        // Temporary credentials (SSO, roles) carry a session token; long-term keys have none.
        '${AWS_SESSION_TOKEN:+-H "x-amz-security-token: $AWS_SESSION_TOKEN"}',
      ];
    case 'jwt':
      return ['-H "authorization: Bearer $TOKEN"'];
    case 'none':
      return [];
  }
}

/** Single-quoted for a POSIX shell. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The first domain route and one media type it takes, for an example line. */
export function exampleRoute(document: OpenApiView): { path: string; contentType: string } | undefined {
  for (const [path, item] of Object.entries(document.paths)) {
    const content = item.post?.requestBody?.content;
    if (!/^\/models\/[^/]+\/predict$/.test(path) || !content) continue;
    const contentType = Object.keys(content).find((t) => !t.includes('json')) ?? Object.keys(content)[0];
    if (contentType) return { path, contentType };
  }
  return undefined;
}
