import { BadRequestError, UnsupportedMediaTypeError } from '../errors';
import { splitBinaryBody } from './binaryTensor';
import { needsExactParse } from './fromJsonData';
import { parseInferRequest, type InferRequest } from './inferRequest';
import { parseJson, parseJsonExact } from './parseJson';
import { rememberedRequest } from './rememberedHeader';

export const INFER_CONTENT_TYPES = [
  'application/json',
  'application/octet-stream (JSON, or binary tensors with Inference-Header-Content-Length)',
] as const;

/**
 * Content types whose body is the JSON request when no `Inference-Header-Content-Length` comes
 * with it. octet-stream is one: Triton reads a body without that header as JSON whatever its
 * content type, and `tritonclient.http.aio` sends its JSON requests as `application/octet-stream`.
 */
function isJsonBodyType(contentType: string): boolean {
  return (
    contentType === '' || contentType === 'application/json' || contentType === 'application/octet-stream' || contentType.endsWith('+json')
  );
}

/**
 * An infer body -> the request and its binary part. With `Inference-Header-Content-Length`
 * the body is Triton's binary framing whatever its content type (as Triton does); otherwise it
 * is JSON: with no content type (as KServe reads it), a JSON one, or octet-stream (as Triton).
 */
export function readInferBody(
  body: Buffer,
  contentType: string,
  headerLength: string | undefined,
): { request: InferRequest; binary?: Buffer } {
  if (headerLength !== undefined) {
    const { header, binary } = splitBinaryBody(body, headerLength);
    return { request: rememberedRequest(header, parseBinaryHeader), binary };
  }
  if (!isJsonBodyType(contentType)) throw new UnsupportedMediaTypeError(contentType, INFER_CONTENT_TYPES);
  return { request: parseRequestText(body.toString('utf8'), 'body') };
}

const parseBinaryHeader = (text: string): InferRequest => parseRequestText(text, 'binary request header');

export function parseRequestText(text: string, what: string): InferRequest {
  const value = parseJson(text, what);
  return parseInferObject(value, () => parseJsonExact(text));
}

/** Validate an already-parsed request (direct invoke), re-parsing exactly when 64-bit data needs it. */
export function parseInferObject(value: unknown, exact?: () => unknown): InferRequest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BadRequestError('infer request must be a JSON object with an inputs array');
  }
  const request = parseInferRequest(value);
  if (exact && request.inputs.some((input) => needsExactParse(input.datatype, input.data))) {
    return parseInferRequest(exact());
  }
  return request;
}
