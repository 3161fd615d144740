import { describe, expect, it } from 'vitest';
import { borderBackground, boxWarp, imageWarp } from '../../../lib/core/builtins/ocr/boxWarp';
import { writeWarped, type Normalisation } from '../../../lib/core/builtins/ocr/warpTensor';
import { padWithBackground } from '../../../lib/core/processing/image/padImage';
import { perspectiveCrop } from '../../../lib/core/processing/image/perspectiveCrop';
import type { RawImage } from '../../../lib/core/processing/image/RawImage';
import type { Quad } from '../../../lib/core/processing/image/quad';
import { rotate180, rotate90CounterClockwise } from '../../../lib/core/processing/image/rotateImage';
import { seededRandom } from './renderText';

/** Raw pixel values in the tensor, so a warp can be compared with a cut crop byte for byte. */
const RAW: Normalisation = { mul: [1, 1, 1], add: [0, 0, 0] };

const random = seededRandom(18);
const image: RawImage = {
  width: 40,
  height: 30,
  channels: 3,
  data: Uint8Array.from({ length: 40 * 30 * 3 }, () => Math.floor(random() * 256)),
};

const rect = (left: number, top: number, width: number, height: number): Quad => [
  { x: left, y: top },
  { x: left + width, y: top },
  { x: left + width, y: top + height },
  { x: left, y: top + height },
];

/** The warp written at its own size (no scaling), read back as an RGB image. */
function warped(warp: ReturnType<typeof boxWarp>, margin = 0, background?: [number, number, number]): RawImage {
  const width = warp.width + 2 * margin;
  const height = warp.height + 2 * margin;
  const data = new Float32Array(3 * width * height);
  writeWarped(image, warp, { data, item: 0, height, rowWidth: width, width, margin, background, normalisation: RAW });
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(data[(2 - c) * width * height + i]!);
  }
  return { data: rgb, width, height, channels: 3 };
}

describe('OCR warps: each line model samples its tensor straight from the image', () => {
  it('gives the cut crop pixel for pixel, upright, turned a quarter (vertical text) and upside down', () => {
    const box = rect(5, 4, 20, 10);
    const crop = perspectiveCrop(image, box);
    expect(warped(boxWarp(box))).toEqual(crop);
    expect(warped(boxWarp(box, 1))).toEqual(rotate90CounterClockwise(crop));
    expect(warped(boxWarp(box, 2))).toEqual(rotate180(crop));
    expect(warped(boxWarp(box, 3))).toEqual(rotate180(rotate90CounterClockwise(crop)));
  });

  it('pads with the median of the box border, as padWithBackground does on a cut crop', () => {
    const skewed: Quad = [
      { x: 3.2, y: 5.1 },
      { x: 30.7, y: 7.9 },
      { x: 29.6, y: 19.4 },
      { x: 2.5, y: 16.8 },
    ];
    const crop = perspectiveCrop(image, skewed);
    const background = borderBackground(image, boxWarp(skewed));
    expect(Array.from(padWithBackground(crop, 2).data.subarray(0, 3))).toEqual(background);
    expect(warped(boxWarp(skewed), 2, background)).toEqual(padWithBackground(crop, 2));
    // An upright box takes the separable path: the same margin.
    const box = rect(5, 4, 20, 10);
    expect(warped(boxWarp(box), 3, borderBackground(image, boxWarp(box)))).toEqual(padWithBackground(perspectiveCrop(image, box), 3));
  });

  it('averages every pixel when it shrinks a frame, so a one-pixel stroke is not skipped', () => {
    const white: RawImage = { width: 40, height: 8, channels: 3, data: new Uint8Array(40 * 8 * 3).fill(255) };
    for (let y = 0; y < 8; y++) white.data.fill(0, (y * 40 + 21) * 3, (y * 40 + 22) * 3);
    const data = new Float32Array(3 * 2 * 10);
    writeWarped(white, imageWarp(white), { data, item: 0, height: 2, rowWidth: 10, width: 10, normalisation: RAW });
    // Output column 5 covers source columns 20-23, one of them black.
    expect(Array.from(data.subarray(0, 10))).toEqual([255, 255, 255, 255, 255, 191.25, 255, 255, 255, 255]);
  });
});
