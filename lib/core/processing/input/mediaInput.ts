// zod/mini with named imports: every image and audio pipeline's function bundle parses it on every
// cold start (zod's full build is ~470 KB).
import { object, pipe, refine, string, transform } from 'zod/mini';
import type { PredictRequest } from '../../pipeline/Pipeline';
import { BadRequestError } from '../../errors';
import { IMAGE_MEDIA_TYPES, JSON_MEDIA_TYPE, WAV_MEDIA_TYPES, assertAcceptedMediaType } from './mediaType';
import { parseJsonBody } from './jsonBody';

export interface MediaInputOptions {
  /** Raw media types accepted as the whole body (`image/png`, `audio/wav`, ...). */
  mediaTypes: readonly string[];
  /** Field of an `application/json` body holding the same media as base64 (`image`, `audio`). */
  jsonField: string;
}

/** An image as the body (PNG, JPEG, WebP) or as `{"image": "<base64>"}`. */
export const IMAGE_INPUT: MediaInputOptions = Object.freeze({ mediaTypes: IMAGE_MEDIA_TYPES, jsonField: 'image' });

/** A WAV file as the body or as `{"audio": "<base64>"}`. */
export const WAV_INPUT: MediaInputOptions = Object.freeze({ mediaTypes: WAV_MEDIA_TYPES, jsonField: 'audio' });

/** Raw media bytes and where they came from. */
export interface MediaInput {
  bytes: Buffer;
  /** The request's media type (`application/json` when the bytes came from a base64 field). */
  mediaType: string;
}

// Strict alphabet check: Buffer.from(s, 'base64') silently skips bad characters, which
// would turn a typo into a confusing "undecodable image" instead of naming the field.
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const DATA_URL = /^data:[^,;]*(?:;[^,;]*)*;base64,/;

function base64Field() {
  const text = pipe(
    string({ error: 'expected a base64 string' }),
    transform((value: string) => value.replace(DATA_URL, '').replace(/\s+/g, '')),
  ).check(
    refine((value: string) => value.length > 0, 'is empty'),
    refine((value: string) => BASE64.test(value), 'is not valid base64'),
  );
  return pipe(
    text,
    transform((value: string) => Buffer.from(value, 'base64')),
  );
}

/** The media types a route accepts: the raw ones plus JSON. */
export function acceptedTypes(options: MediaInputOptions): readonly string[] {
  return [...options.mediaTypes, JSON_MEDIA_TYPE];
}

/**
 * The media bytes of a request: the raw body for a raw media type, or the base64 field of a
 * JSON body (`{"image": "<base64>"}`); 415 for any other content type, 400 for a wrong field.
 */
export function readMediaInput(request: PredictRequest, options: MediaInputOptions): MediaInput {
  const mediaType = assertAcceptedMediaType(request.contentType, acceptedTypes(options));
  if (mediaType !== JSON_MEDIA_TYPE) {
    if (request.body.length === 0) throw new BadRequestError(`empty body; send the ${options.jsonField} bytes`);
    return { bytes: request.body, mediaType };
  }
  const schema = object({ [options.jsonField]: base64Field() });
  const parsed = parseJsonBody(request.body, schema) as Record<string, Buffer>;
  return { bytes: parsed[options.jsonField]!, mediaType };
}
