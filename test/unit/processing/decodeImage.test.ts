import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { BadRequestError, PayloadTooLargeError } from '../../../lib/core/errors';
import { decodeImage, readImageHeader } from '../../../lib/core/processing';
import { pngClaiming } from './pngBomb';

/** A 4x2 image: left half red, right half blue. */
async function halves(format: 'png' | 'jpeg' | 'webp', orientation?: number): Promise<Buffer> {
  const raw = Buffer.alloc(4 * 2 * 3);
  for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) raw.set(x < 2 ? [255, 0, 0] : [0, 0, 255], (y * 4 + x) * 3);
  let image = sharp(raw, { raw: { width: 4, height: 2, channels: 3 } });
  if (orientation !== undefined) image = image.withMetadata({ orientation });
  return image.toFormat(format, { quality: 100, lossless: format === 'webp' }).toBuffer();
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { status?: number }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('decodeImage', () => {
  it.each(['png', 'jpeg', 'webp'] as const)('decodes %s to interleaved RGB', async (format) => {
    const image = await decodeImage(await halves(format));
    expect([image.width, image.height, image.channels, image.data.length]).toEqual([4, 2, 3, 24]);
    const [r, , b] = image.data;
    expect(r).toBeGreaterThan(200);
    expect(b).toBeLessThan(60);
    expect(image.data[3 * 3 + 2]).toBeGreaterThan(200); // pixel (3, 0) is blue
  });

  it('honours EXIF orientation 6 (rotate 90° clockwise): a 4x2 image comes out 2x4', async () => {
    const image = await decodeImage(await halves('jpeg', 6));
    expect([image.width, image.height]).toEqual([2, 4]);
    // Rotated clockwise, the red left half is now the top half.
    expect(image.data[0]).toBeGreaterThan(200);
    expect(image.data[(3 * 2 + 1) * 3 + 2]).toBeGreaterThan(200);
  });

  it('flattens transparency onto white and expands grey to three channels', async () => {
    const transparent = await sharp({ create: { width: 2, height: 2, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const grey = await sharp(Buffer.from([10, 200, 10, 200]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    expect([...(await decodeImage(transparent)).data.slice(0, 3)]).toEqual([255, 255, 255]);
    expect([...(await decodeImage(grey)).data.slice(0, 6)]).toEqual([10, 10, 10, 200, 200, 200]);
  });

  it('rejects a PNG whose header claims 100000x100000 pixels with 413, before decoding', async () => {
    const bomb = pngClaiming(100_000, 100_000);
    expect(bomb.length).toBeLessThan(200);
    const error = await errorOf(decodeImage(bomb, { maxPixels: 1_000_000 }));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.status).toBe(413);
    expect(error.message).toContain('100000x100000');
    // The header alone decides: the same check answers from readImageHeader without any decode.
    await expect(readImageHeader(bomb, { maxPixels: 1_000_000 })).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('accepts the same header when the bound allows it (the bound is configurable)', async () => {
    await expect(readImageHeader(pngClaiming(1000, 1000), { maxPixels: 1_000_000 })).resolves.toMatchObject({ width: 1000, height: 1000 });
    await expect(readImageHeader(pngClaiming(1001, 1000), { maxPixels: 1_000_000 })).rejects.toBeInstanceOf(PayloadTooLargeError);
  });

  it('answers 400 saying why for bytes that are not an image', async () => {
    const error = await errorOf(decodeImage(Buffer.from('definitely not a picture')));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.status).toBe(400);
    expect(error.message).toBe('image could not be read: not a png, jpeg, webp file');
  });

  it('answers 400 for a truncated PNG', async () => {
    const png = await halves('png');
    const error = await errorOf(decodeImage(png.subarray(0, 40)));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^image could not be (read|decoded): \S/);
  });

  it('refuses a 1 x 16,000,000 PNG (under the pixel count) with 413 on its width', async () => {
    const strip = pngClaiming(16_000_000, 1);
    const error = await errorOf(decodeImage(strip));
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.message).toBe('image declares 16000000x1 pixels, over the limit of 8192x8192; send a smaller image');
    await expect(readImageHeader(pngClaiming(1, 16_000_000))).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(readImageHeader(pngClaiming(300, 100), { maxWidth: 200 })).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(readImageHeader(pngClaiming(100, 300), { maxHeight: 200 })).rejects.toBeInstanceOf(PayloadTooLargeError);
  });
});
