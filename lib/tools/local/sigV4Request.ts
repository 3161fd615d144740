import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What the verification reads of a request: its method, target (path and query) and headers, never its body. */
export interface RequestHead {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Why a request is not SigV4-signed by the holder of `credentials` with an Authorization header
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html), or undefined
 * when it is. The signature covers the method, the path as sent (S3 encodes it once and never
 * normalises it), the query, the signed headers and the payload hash the request declares in
 * `x-amz-content-sha256`; the body is not read. A signature in the query string (a presigned
 * URL) does not count: a web page can put one in a form's action, never an Authorization header
 * on a cross-site request.
 */
export function sigV4Refusal(req: RequestHead, credentials: { accessKeyId: string; secretAccessKey: string }): string | undefined {
  const authorization = header(req.headers, 'authorization');
  if (authorization === undefined) return 'no Authorization header: only SigV4-signed requests may write';
  const match = AUTHORIZATION.exec(authorization.trim());
  if (!match) return 'the Authorization header is not AWS4-HMAC-SHA256 with Credential, SignedHeaders and Signature';
  const [, accessKeyId, day, region, service, signedList, signature] = match as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) return `unknown access key '${accessKeyId}'`;
  const amzDate = header(req.headers, 'x-amz-date');
  const payloadHash = header(req.headers, 'x-amz-content-sha256');
  if (amzDate === undefined || !amzDate.startsWith(day as string)) return 'no x-amz-date on the day of the credential scope';
  if (payloadHash === undefined) return 'no x-amz-content-sha256';
  const signed = (signedList as string).split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date')) return 'SignedHeaders must cover host and x-amz-date';
  const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
  const canonicalRequest = [
    (req.method ?? 'GET').toUpperCase(),
    path,
    canonicalQuery(query),
    ...signed.map((name) => `${name}:${(header(req.headers, name) ?? '').trim().replace(/\s+/g, ' ')}`),
    '',
    signedList,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, day as string);
  for (const part of [region as string, service as string, 'aws4_request']) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(signature as string, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'the signature does not match';
}

/** Node joins a repeated header with ', ', as SigV4's canonical form does. */
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Each name and value decoded, then RFC 3986-encoded, sorted by name and value. */
function canonicalQuery(query: string): string {
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      return [rfc3986(decode(name)), rfc3986(decode(value))] as const;
    })
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
