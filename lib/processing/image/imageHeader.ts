import sharp, { type Metadata } from 'sharp';
import { BadRequestError, PayloadTooLargeError } from '../../errors';

/** Formats decoded by default: SVG, TIFF, GIF and the rest of libvips' loaders stay off for untrusted input. */
export const DECODABLE_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type DecodableFormat = (typeof DECODABLE_FORMATS)[number];

/**
 * 16.7 megapixels (4096 x 4096): ~50 MB of RGB once decoded, well inside a 1 GB Lambda, and more
 * than any of the example models look at after resizing.
 */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;

export interface ImageHeader {
  format: DecodableFormat;
  /** Declared size as stored, before EXIF orientation. */
  width: number;
  height: number;
  /** EXIF orientation 1..8 (1 when absent). */
  orientation: number;
}

export interface ImageHeaderOptions {
  maxPixels?: number;
  formats?: readonly DecodableFormat[];
}

/**
 * Reads the declared size from the header only (sharp's metadata() does not decode pixels) and
 * rejects a decompression bomb with 413 before any pixel is allocated: a 100 kB PNG can claim
 * 100000 x 100000 pixels (30 GB of RGB).
 */
export async function readImageHeader(bytes: Buffer, options: ImageHeaderOptions = {}): Promise<ImageHeader> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const formats = options.formats ?? DECODABLE_FORMATS;
  let metadata: Metadata;
  try {
    // limitInputPixels: false so that an oversized header is reported by us as 413, not as a decode error.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new BadRequestError(`image could not be read: ${reason(err)}; send a PNG, JPEG or WebP file`, { cause: err });
  }
  const format = metadata.format as string;
  if (!(formats as readonly string[]).includes(format)) {
    throw new BadRequestError(`image format '${format}' is not accepted; send one of: ${formats.join(', ')}`);
  }
  const { width, height } = metadata;
  if (!(width > 0 && height > 0)) {
    throw new BadRequestError('image header declares no width or height');
  }
  if (width * height > maxPixels) {
    throw new PayloadTooLargeError(
      `image declares ${width}x${height} = ${width * height} pixels, over the limit of ${maxPixels}; send a smaller image`,
    );
  }
  return { format: format as DecodableFormat, width, height, orientation: metadata.orientation ?? 1 };
}

/** libvips messages are multi-line and end with a newline; keep the first useful line. */
export function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n').map((line) => line.trim()).filter(Boolean)[0] ?? 'unknown error';
  return first.replace(/:$/, '');
}
