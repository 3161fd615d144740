import type { RawImage } from '../../processing/image/RawImage';
import { homography, sampleProjective } from '../../processing/image/perspectiveCrop';
import { quadSize, type Quad } from '../../processing/image/quad';

/**
 * A region of the image as a model sees it: `width` x `height` pixels of its own upright frame,
 * and the projective map from that frame to the image's pixels (PaddleOCR's
 * get_rotate_crop_image, and np.rot90 for a turned crop, as one map).
 */
export interface Warp {
  width: number;
  height: number;
  /** 3x3 homography, row-major (a turned box's [8] is not 1): frame (x, y) -> image pixels. */
  toImage: readonly number[];
}

/** The whole image as its own frame. */
export function imageWarp(image: RawImage): Warp {
  return { width: image.width, height: image.height, toImage: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
}

/**
 * A text box's upright frame: the box cut as perspectiveCrop cuts it (its longer opposite sides,
 * rounded), turned by `quarterTurns` quarters counter-clockwise (1: vertical text, as np.rot90;
 * 2: upside down). The turn is folded into the map, pixel for pixel as rotateImage turns a cut
 * crop, so a turned box costs no extra pass over its pixels.
 */
export function boxWarp(quad: Quad, quarterTurns = 0): Warp {
  const size = quadSize(quad);
  const width = Math.max(1, Math.round(size.width));
  const height = Math.max(1, Math.round(size.height));
  const crop = homography(
    [
      { x: 0, y: 0 },
      { x: width, y: 0 },
      { x: width, y: height },
      { x: 0, y: height },
    ],
    quad,
  );
  // Turned frame (u, v) -> the upright crop's pixel: (W-1-v, u), (W-1-u, H-1-v) or (v, H-1-u).
  const turns: readonly (readonly number[])[] = [
    [1, 0, 0, 0, 1, 0, 0, 0, 1],
    [0, -1, width - 1, 1, 0, 0, 0, 0, 1],
    [-1, 0, width - 1, 0, -1, height - 1, 0, 0, 1],
    [0, 1, 0, -1, 0, height - 1, 0, 0, 1],
  ];
  const k = ((quarterTurns % 4) + 4) % 4;
  const sideways = k % 2 === 1;
  return { width: sideways ? height : width, height: sideways ? width : height, toImage: multiply(crop, turns[k]!) };
}

function multiply(a: readonly number[], b: readonly number[]): number[] {
  return Array.from({ length: 9 }, (_, i) => {
    const row = Math.floor(i / 3);
    const col = i % 3;
    return a[row * 3]! * b[col]! + a[row * 3 + 1]! * b[3 + col]! + a[row * 3 + 2]! * b[6 + col]!;
  });
}

/**
 * The paper colour around a box: the median of its frame's border pixels, per channel (as
 * padWithBackground computes it on a cut crop), from a histogram instead of sorting.
 */
export function borderBackground(image: RawImage, warp: Warp): [number, number, number] {
  const histograms = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  const pixel = new Float64Array(3);
  let count = 0;
  const take = (x: number, y: number) => {
    sampleProjective(image, warp.toImage, x, y, pixel);
    for (let c = 0; c < 3; c++) histograms[c]![Math.round(pixel[c]!)]! += 1;
    count += 1;
  };
  const { width, height } = warp;
  for (let x = 0; x < width; x++) {
    take(x, 0);
    if (height > 1) take(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    take(0, y);
    if (width > 1) take(width - 1, y);
  }
  return histograms.map((histogram) => {
    // The sorted array's element at count >> 1, as padWithBackground takes it.
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += histogram[v]!;
      if (seen > count >> 1) return v;
    }
    return 255;
  }) as [number, number, number];
}
