import type { Metadata } from 'sharp';
import { loadSharp } from './loadSharp';
import { BadRequestError, OnnxlessError, PayloadTooLargeError } from '../../errors';
import { sniffImageFormat } from './imageFormat';

/** Formats decoded by default: SVG, TIFF, GIF and the rest of libvips' loaders stay off for untrusted input. */
export const DECODABLE_FORMATS = ['png', 'jpeg', 'webp'] as const;
export type DecodableFormat = (typeof DECODABLE_FORMATS)[number];

/**
 * 16.7 megapixels (4096 x 4096): ~50 MB of RGB once decoded, well inside a 1 GB Lambda, and more
 * than any of the example models look at after resizing.
 */
export const DEFAULT_MAX_PIXELS = 4096 * 4096;

/**
 * Longest side, each way. The pixel count alone lets through a 1 x 16,000,000 strip (31 kB as
 * PNG) whose decode and resize cost 10-15 s of CPU; 8192 still takes a long text line or a
 * panorama, and anything the example models look at after resizing.
 */
export const DEFAULT_MAX_WIDTH = 8192;
export const DEFAULT_MAX_HEIGHT = 8192;

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
  maxWidth?: number;
  maxHeight?: number;
  formats?: readonly DecodableFormat[];
}

/** 415: bytes of an image format the route does not decode (told by magic bytes, not the label). */
export class UnsupportedImageFormatError extends OnnxlessError {
  constructor(format: string, accepted: readonly string[]) {
    super(415, `image format '${format}' is not accepted; send one of: ${accepted.join(', ')}`);
  }
}

/**
 * Checks an image before anything decodes it. The format comes from the magic bytes: only an
 * accepted one reaches sharp (415 for SVG, TIFF, GIF and the rest, 400 for bytes that are no
 * image). Then the declared size is read from the header only (sharp's metadata() does not
 * decode pixels) and a decompression bomb is refused with 413 before any pixel is allocated:
 * a 100 kB PNG can claim 100000 x 100000 pixels (30 GB of RGB), a 31 kB one 1 x 16,000,000.
 */
export async function readImageHeader(bytes: Buffer, options: ImageHeaderOptions = {}): Promise<ImageHeader> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxWidth = options.maxWidth ?? DEFAULT_MAX_WIDTH;
  const maxHeight = options.maxHeight ?? DEFAULT_MAX_HEIGHT;
  const formats = options.formats ?? DECODABLE_FORMATS;
  const sniffed = sniffImageFormat(bytes);
  if (sniffed === undefined) throw new BadRequestError(`image could not be read: not a ${formats.join(', ')} file`);
  if (!(formats as readonly string[]).includes(sniffed)) throw new UnsupportedImageFormatError(sniffed, formats);
  let metadata: Metadata;
  try {
    // limitInputPixels: false so that an oversized header is reported by us as 413, not as a decode error.
    metadata = await loadSharp()(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new BadRequestError(`image could not be read: ${reason(err)}; send a PNG, JPEG or WebP file`, { cause: err });
  }
  // libvips sniffs the same magic bytes; a disagreement means bytes crafted to confuse the two.
  const format = metadata.format as string;
  if (format !== sniffed) throw new BadRequestError(`image could not be read: its bytes start as ${sniffed} but read as ${format}`);
  const { width, height } = metadata;
  if (!(width > 0 && height > 0)) {
    throw new BadRequestError('image header declares no width or height');
  }
  if (width > maxWidth || height > maxHeight) {
    throw new PayloadTooLargeError(
      `image declares ${width}x${height} pixels, over the limit of ${maxWidth}x${maxHeight}; send a smaller image`,
    );
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
  const first =
    message
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)[0] ?? 'unknown error';
  return first.replace(/:$/, '');
}
