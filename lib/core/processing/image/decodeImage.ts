import { loadSharp } from './loadSharp';
import { BadRequestError, PayloadTooLargeError } from '../../errors';
import type { RawImage } from './RawImage';
import { DEFAULT_MAX_PIXELS, readImageHeader, reason, type ImageHeaderOptions } from './imageHeader';

export interface DecodeImageOptions extends ImageHeaderOptions {
  /** Colour that transparent pixels are composited onto (default white: text models expect paper). */
  background?: string;
}

/**
 * PNG/JPEG/WebP bytes -> upright 8-bit RGB. The header is checked first (413 for too many
 * pixels, 400 for an unaccepted format), then the image is decoded with sharp's own pixel
 * limit as a second guard, EXIF orientation applied (`rotate()` without an angle), alpha
 * flattened and grey or CMYK converted to sRGB.
 */
export async function decodeImage(bytes: Buffer, options: DecodeImageOptions = {}): Promise<RawImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  await readImageHeader(bytes, { ...options, maxPixels });
  try {
    const { data, info } = await loadSharp()(bytes, { limitInputPixels: maxPixels })
      .rotate()
      .flatten({ background: options.background ?? '#ffffff' })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoder produced ${info.channels} channels, expected 3`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    const why = reason(err);
    if (/pixel limit/i.test(why)) throw new PayloadTooLargeError(`image is over the limit of ${maxPixels} pixels`);
    throw new BadRequestError(`image could not be decoded: ${why}`, { cause: err });
  }
}
