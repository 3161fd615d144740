import { promisify } from 'node:util';
import { gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import { BadRequestError, OnnxlessError, PayloadTooLargeError } from '../errors';
import { clip } from '../protocol/names';
import type { HttpRequest } from './HttpTypes';

const gunzipAsync = promisify<Buffer, ZlibOptions, Buffer>(gunzip);
const inflateAsync = promisify<Buffer, ZlibOptions, Buffer>(inflate);
const inflateRawAsync = promisify<Buffer, ZlibOptions, Buffer>(inflateRaw);

/** The request compressions decoded: what tritonclient's `request_compression_algorithm` sends (gzip, deflate). */
export const REQUEST_ENCODINGS = ['gzip', 'deflate', 'identity'] as const;

/**
 * The request with its body decoded per `Content-Encoding` (RFC 9110 8.4), and the header gone.
 * tritonclient compresses infer bodies with `request_compression_algorithm="gzip"` (gzip.compress)
 * or `"deflate"` (zlib.compress: the zlib format, which is what HTTP's "deflate" names), and
 * Triton decodes them; a server that read them as plain bytes answered a confusing 400. The
 * decoded size is bounded by `maxBytes` (the model's body limit) while inflating, so a small
 * bomb never grows past it: a 413 naming the limit. Decoding runs on libuv's thread pool, off the
 * event loop. Any other encoding is a 415 naming it and the ones taken.
 */
export async function decodeRequestBody(req: HttpRequest, maxBytes: number): Promise<HttpRequest> {
  const header = req.headers['content-encoding']?.trim();
  if (header === undefined || header === '') return req;
  // Codings are listed in the order they were applied: undone from the last.
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '');
  let body = req.body;
  for (const coding of codings.reverse()) body = await decode(body, coding, maxBytes);
  const { ['content-encoding']: _decoded, ...headers } = req.headers;
  return { ...req, headers, body };
}

async function decode(body: Buffer, coding: string, maxBytes: number): Promise<Buffer> {
  // One byte over the limit is enough to know it is over.
  const options: ZlibOptions = { maxOutputLength: maxBytes + 1 };
  try {
    let out: Buffer;
    if (coding === 'identity') return body;
    else if (coding === 'gzip' || coding === 'x-gzip') out = await gunzipAsync(body, options);
    else if (coding === 'deflate') out = await inflateAsync(body, options).catch(() => inflateRawAsync(body, options));
    else
      throw new OnnxlessError(
        415,
        `unsupported Content-Encoding '${clip(coding, 32)}'; accepted: ${REQUEST_ENCODINGS.join(', ')} (or none)`,
        { expose: true },
      );
    if (out.length > maxBytes) throw tooLarge(coding, maxBytes);
    return out;
  } catch (err) {
    if (err instanceof OnnxlessError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(coding, maxBytes);
    throw new BadRequestError(`request body is not valid ${coding} data, as its Content-Encoding says: ${(err as Error).message}`);
  }
}

function tooLarge(coding: string, maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`request body is over the limit of ${maxBytes} bytes once decoded (Content-Encoding: ${coding})`);
}
