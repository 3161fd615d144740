import { UnsupportedMediaTypeError } from '../../errors';

/** Image media types the image decoders accept. */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** WAV media types seen in the wild: `audio/wav` is the common one, the others are legacy aliases. */
export const WAV_MEDIA_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave'] as const;

export const JSON_MEDIA_TYPE = 'application/json';

/** Lower-cased media type without parameters (`Image/PNG; q=1` -> `image/png`). */
export function normalizeMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Throws 415 listing the accepted types unless `contentType` is one of them. */
export function assertAcceptedMediaType(contentType: string | undefined, accepted: readonly string[]): string {
  const mediaType = normalizeMediaType(contentType);
  if (!accepted.includes(mediaType)) {
    throw new UnsupportedMediaTypeError(mediaType, accepted);
  }
  return mediaType;
}
