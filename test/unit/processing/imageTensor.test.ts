import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { NORMALIZATIONS, decodeImage, imageBatchTensor, type RawImage } from '../../../lib/core/processing';

/** A fixed 7x5 PNG with pseudo-random pixels (a linear congruential sequence, no Math.random). */
async function fixedPng(width = 7, height = 5, seed = 3): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  let s = seed;
  for (let i = 0; i < raw.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    raw[i] = s % 256;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Straightforward reference: sharp's own raw pixels, plain nested loops, float64 arithmetic. */
async function referenceNchw(png: Buffer, order: 'rgb' | 'bgr', mean: number[], std: number[], padTo?: number) {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const W = padTo ?? info.width;
  const out: number[] = new Array(3 * info.height * W).fill(0);
  for (let c = 0; c < 3; c++) {
    const src = order === 'rgb' ? c : 2 - c;
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        out[c * info.height * W + y * W + x] = (data[(y * info.width + x) * 3 + src]! / 255 - mean[c]!) / std[c]!;
      }
    }
  }
  return { out, width: info.width, height: info.height };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('imageBatchTensor', () => {
  it('matches plain loops for ImageNet mean/std in RGB NCHW within 1e-6', async () => {
    const png = await fixedPng();
    const image = await decodeImage(png);
    const tensor = imageBatchTensor([image], { order: 'rgb', layout: 'nchw', normalization: NORMALIZATIONS.imagenet });
    const ref = await referenceNchw(png, 'rgb', [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
    expect(tensor.dims).toEqual([1, 3, 5, 7]);
    expect(tensor.type).toBe('float32');
    expect(maxAbsDiff(tensor.data as Float32Array, ref.out)).toBeLessThan(1e-6);
  });

  it('matches plain loops for PaddleOCR BGR (x/255-0.5)/0.5 with right padding of 0 within 1e-6', async () => {
    const png = await fixedPng();
    const image = await decodeImage(png);
    const tensor = imageBatchTensor([image], { order: 'bgr', layout: 'nchw', normalization: NORMALIZATIONS.symmetric, width: 12 });
    const ref = await referenceNchw(png, 'bgr', [0.5, 0.5, 0.5], [0.5, 0.5, 0.5], 12);
    expect(tensor.dims).toEqual([1, 3, 5, 12]);
    expect(maxAbsDiff(tensor.data as Float32Array, ref.out)).toBeLessThan(1e-6);
  });

  it('lays out NHWC as the transpose of NCHW', async () => {
    const image = await decodeImage(await fixedPng());
    const options = { order: 'rgb', normalization: { kind: 'scale', factor: 1 / 255 } } as const;
    const nchw = imageBatchTensor([image], { ...options, layout: 'nchw' }).data as Float32Array;
    const nhwc = imageBatchTensor([image], { ...options, layout: 'nhwc' });
    expect(nhwc.dims).toEqual([1, 5, 7, 3]);
    const data = nhwc.data as Float32Array;
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 5; y++)
        for (let x = 0; x < 7; x++) {
          expect(data[(y * 7 + x) * 3 + c]).toBe(nchw[c * 35 + y * 7 + x]);
        }
    // Scale only: the value is the byte / 255.
    expect(data[0]).toBeCloseTo(image.data[0]! / 255, 7);
  });

  it('stacks several images into one batch, padding narrower ones to the widest', async () => {
    const a = await decodeImage(await fixedPng(4, 2, 1));
    const b = await decodeImage(await fixedPng(6, 2, 2));
    const tensor = imageBatchTensor([a, b], { order: 'rgb', layout: 'nchw', normalization: NORMALIZATIONS.unit, padValue: -1 });
    expect(tensor.dims).toEqual([2, 3, 2, 6]);
    const data = tensor.data as Float32Array;
    expect(data[4]).toBe(-1); // image 0, channel 0, row 0, x = 4: padding
    expect(data[0]).toBeCloseTo(a.data[0]! / 255, 7);
    expect(data[3 * 2 * 6 + 5]).toBeCloseTo(b.data[5 * 3]! / 255, 7); // image 1, x = 5
  });

  it('refuses a batch of mixed heights', () => {
    const image = (height: number): RawImage => ({ data: new Uint8Array(3 * height), width: 1, height, channels: 3 });
    expect(() => imageBatchTensor([image(2), image(3)], { order: 'rgb', layout: 'nchw', normalization: NORMALIZATIONS.unit })).toThrow(
      /share one height/,
    );
  });
});
