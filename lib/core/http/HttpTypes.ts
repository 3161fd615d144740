/** The transport-neutral request the routes see; adapters (Lambda, Node server) build it. */
export interface HttpRequest {
  method: string;
  /** The path the routes match, whole: less any prefix the transport adds (`base`). */
  path: string;
  /**
   * What the URL carries before `path`: a named API Gateway stage (`/prod`); absent or '' where
   * the routes sit at the root (the `$default` stage, serve, the local stack).
   */
  base?: string;
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | undefined>>;
  body: Buffer;
}

/**
 * Headers on every answer, errors included, on every form (serve, the Lambda handlers): `nosniff`
 * keeps a browser from reading a JSON error or a model's output as HTML or script (a caller's
 * text is echoed in both).
 */
export const EVERY_ANSWER = { 'x-content-type-options': 'nosniff' } as const;

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) };
}

/** Media type without parameters, lower-cased: `Application/JSON; charset=utf-8` -> `application/json`. */
export function mediaType(headers: HttpRequest['headers']): string {
  return (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
