import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toPublicError } from '../errors';
import { checkBodySize } from './routes';
import { EVERY_ANSWER, jsonResponse, type HttpRequest, type HttpResponse } from './HttpTypes';

/** Is this an API Gateway HTTP API (payload v2) event, as opposed to a direct invoke? */
export function isHttpApiEvent(event: unknown): event is APIGatewayProxyEventV2 {
  const ctx = (event as { requestContext?: { http?: unknown } } | null)?.requestContext;
  return typeof ctx?.http === 'object' && ctx.http !== null;
}

/**
 * API Gateway v2 event -> HttpRequest. The size limit is checked on the encoded length
 * before base64 decoding, so an oversized body costs no decoded copy.
 *
 * An HTTP API (payload 2.0) hands the function a body as UTF-8 text only for text/*,
 * application/json, application/xml and application/javascript; any other body, and one with
 * no Content-Type at all, comes base64-encoded with `isBase64Encoded: true` ("If the content type
 * of the request is binary, the body is base64-encoded": Lambda Developer Guide, Using Lambda with
 * API Gateway; the list as measured on AWS, ministackorg/ministack#766). Decoding by the flag
 * gives the client's bytes back either way; the local emulator is patched to the same rule.
 */
export function fromHttpApiEvent(event: APIGatewayProxyEventV2, maxBodyBytes: number): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const raw = event.body ?? '';
  let body: Buffer;
  if (event.isBase64Encoded) {
    checkBodySize(Math.floor((raw.length * 3) / 4) - (raw.endsWith('==') ? 2 : raw.endsWith('=') ? 1 : 0), maxBodyBytes);
    body = Buffer.from(raw, 'base64');
  } else {
    checkBodySize(Buffer.byteLength(raw, 'utf8'), maxBodyBytes);
    body = Buffer.from(raw, 'utf8');
  }
  return {
    method: event.requestContext.http.method,
    ...routePath(event),
    headers,
    query: event.queryStringParameters ?? {},
    body,
  };
}

/**
 * The path the routes match, and the stage prefix before it. A named stage (not `$default`) is the
 * first segment of `rawPath` ("HTTP API non-$default stage includes stage in rawPath",
 * aws-powertools/powertools-lambda-python#621); serverless deploys `$default`, whose paths carry none.
 */
function routePath(event: APIGatewayProxyEventV2): Pick<HttpRequest, 'path' | 'base'> {
  const path = event.rawPath ?? event.requestContext.http.path;
  const stage = event.requestContext.stage;
  const base = stage && stage !== '$default' ? `/${stage}` : '';
  if (base && (path === base || path.startsWith(`${base}/`))) return { path: path.slice(base.length) || '/', base };
  return { path, base: '' };
}

export function toHttpApiResult(res: HttpResponse): APIGatewayProxyStructuredResultV2 {
  const headers = { ...res.headers, ...EVERY_ANSWER };
  if (Buffer.isBuffer(res.body)) {
    return { statusCode: res.status, headers, body: res.body.toString('base64'), isBase64Encoded: true };
  }
  return { statusCode: res.status, headers, body: res.body, isBase64Encoded: false };
}

export function errorResult(err: unknown): APIGatewayProxyStructuredResultV2 {
  const { status, message, headers } = toPublicError(err);
  return toHttpApiResult(jsonResponse(status, { error: message }, headers));
}
