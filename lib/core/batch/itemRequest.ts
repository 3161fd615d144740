import type { HttpRequest } from '../http/HttpTypes';

/**
 * The media type of an input object, by its key's extension first (S3 keeps whatever type the
 * uploader sent, often `binary/octet-stream`), else the type S3 stored with it.
 */
const TYPE_OF_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  wav: 'audio/wav',
  wave: 'audio/wav',
  json: 'application/json',
};

/** Types S3 answers for an object nobody typed: they say nothing. */
const UNTYPED = new Set(['', 'binary/octet-stream', 'application/octet-stream']);

export function mediaTypeOf(key: string, storedType: string | undefined): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase();
  const byExtension = extension === undefined ? undefined : TYPE_OF_EXTENSION[extension];
  if (byExtension) return byExtension;
  const stored = (storedType ?? '').split(';')[0]!.trim().toLowerCase();
  return UNTYPED.has(stored) ? undefined : stored;
}

export const KNOWN_EXTENSIONS = Object.keys(TYPE_OF_EXTENSION);

/**
 * The HTTP request an item stands for, so that it runs through the routes an HTTP caller's
 * request runs through and its answer is the same body: an OIP v2 infer body (JSON with an
 * `inputs` list) goes to `POST /v2/models/{m}/infer`; anything else (an image, a WAV, a domain
 * JSON body such as `{"texts": [...]}`) to the domain route `POST /models/{m}/predict`.
 */
export function itemRequest(model: string, body: Buffer, contentType: string): HttpRequest {
  const oip = contentType === 'application/json' && isOipInferBody(body);
  return {
    method: 'POST',
    path: oip ? `/v2/models/${encodeURIComponent(model)}/infer` : `/models/${encodeURIComponent(model)}/predict`,
    headers: { 'content-type': contentType },
    query: {},
    body,
  };
}

function isOipInferBody(body: Buffer): boolean {
  // A look at the top level only: the route parses (and refuses) the body itself.
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && Array.isArray((value as { inputs?: unknown }).inputs);
  } catch {
    return false;
  }
}
