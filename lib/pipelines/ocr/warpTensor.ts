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
  /** 3x3 homography, row-major with [8] = 1: frame (x, y) -> image pixels. */
  toImage: readonly number[];
}

/** Per output channel, in BGR order: value = pixel * mul[c] + add[c]. */
export interface Normalisation {
  mul: readonly [number, number, number];
  add: readonly [number, number, number];
}

/** PaddleOCR's line models: (x/255 - 0.5) / 0.5. */
export const SYMMETRIC: Normalisation = { mul: [2 / 255, 2 / 255, 2 / 255], add: [-1, -1, -1] };
/** PaddleOCR's detector: ImageNet mean and std, in BGR order (its NormalizeImage runs on cv2's BGR pixels). */
export const IMAGENET_BGR: Normalisation = {
  mul: [1 / (255 * 0.229), 1 / (255 * 0.224), 1 / (255 * 0.225)],
  add: [-0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225],
};

/** Where one image goes in an NCHW float batch, and how its frame is laid out there. */
export interface TensorSlot {
  data: Float32Array;
  /** Index of the batch item: its planes start at item * 3 * height * rowWidth. */
  item: number;
  /** The tensor's height and row width (its widest item; narrower ones keep the padding already in `data`). */
  height: number;
  rowWidth: number;
  /** Width the frame (with its margin) is scaled to, at most rowWidth. */
  width: number;
  /** Paper around the frame, in frame pixels, filled with `background` (RGB). */
  margin?: number;
  background?: readonly [number, number, number];
  normalisation: Normalisation;
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
  const crop = homography([{ x: 0, y: 0 }, { x: width, y: 0 }, { x: width, y: height }, { x: 0, y: height }], quad);
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

/**
 * Writes the warped frame, with its margin of paper, scaled to `slot.width` x `slot.height` and
 * normalised, into its place in a BGR NCHW batch: cutting, padding, resizing and the tensor's
 * layout in one pass from the original pixels (one interpolation instead of two, and none of the
 * intermediate images). Pixel centres map as OpenCV's INTER_LINEAR does; when the frame shrinks
 * by more than 1.5x, each output pixel averages a grid of samples so thin strokes are not skipped.
 * An upright rectangle (the whole page for detection, most boxes of printed text) takes a
 * separable path: a table of columns and one of rows, no projective division per pixel.
 */
export function writeWarped(image: RawImage, warp: Warp, slot: TensorSlot): void {
  const margin = slot.margin ?? 0;
  const stepX = (warp.width + 2 * margin) / slot.width;
  const stepY = (warp.height + 2 * margin) / slot.height;
  const gridX = stepX > 1.5 ? Math.ceil(stepX) : 1;
  const gridY = stepY > 1.5 ? Math.ceil(stepY) : 1;
  const h = warp.toImage;
  const upright = h[1] === 0 && h[3] === 0 && h[6] === 0 && h[7] === 0;
  if (gridX === 1 && gridY === 1 && upright) writeSeparable(image, warp, slot, stepX, stepY);
  else writeSampled(image, warp, slot, stepX, stepY, gridX, gridY);
}

/** One sample per output pixel through an axis-aligned map: per-column and per-row tables. */
function writeSeparable(image: RawImage, warp: Warp, slot: TensorSlot, stepX: number, stepY: number): void {
  const margin = slot.margin ?? 0;
  const h = warp.toImage;
  const axis = (count: number, step: number, size: number, scale: number, offset: number, limit: number) => {
    const low = new Int32Array(count);
    const high = new Int32Array(count);
    const weight = new Float64Array(count);
    const inside = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const f = (i + 0.5) * step - 0.5 - margin;
      if (f < -0.5 || f > size - 0.5) continue;
      inside[i] = 1;
      const at = Math.min(limit - 1, Math.max(0, (scale * f + offset) / h[8]!));
      low[i] = Math.floor(at);
      high[i] = Math.min(limit - 1, low[i]! + 1);
      weight[i] = at - low[i]!;
    }
    return { low, high, weight, inside };
  };
  const cols = axis(slot.width, stepX, warp.width, h[0]!, h[2]!, image.width);
  const rows = axis(slot.height, stepY, warp.height, h[4]!, h[5]!, image.height);
  const [mb, mg, mr] = slot.normalisation.mul;
  const [ab, ag, ar] = slot.normalisation.add;
  const [br, bg, bb] = slot.background ?? [255, 255, 255];
  const { data: src, width: sw } = image;
  const out = slot.data;
  const { height, width, rowWidth } = slot;
  const plane = height * rowWidth;
  const base = slot.item * 3 * plane;
  const { low: lefts, high: rights, weight: fxs, inside: columnInside } = cols;
  for (let y = 0; y < height; y++) {
    const row = base + y * rowWidth;
    const rowInside = rows.inside[y] === 1;
    const top = rows.low[y]! * sw;
    const bottom = rows.high[y]! * sw;
    const fy = rows.weight[y]!;
    for (let x = 0; x < width; x++) {
      let r = br;
      let g = bg;
      let b = bb;
      if (rowInside && columnInside[x] === 1) {
        const left = lefts[x]!;
        const right = rights[x]!;
        const fx = fxs[x]!;
        const a = (top + left) * 3;
        const c = (top + right) * 3;
        const d = (bottom + left) * 3;
        const e = (bottom + right) * 3;
        const ur = src[a]! + (src[c]! - src[a]!) * fx;
        const ug = src[a + 1]! + (src[c + 1]! - src[a + 1]!) * fx;
        const ub = src[a + 2]! + (src[c + 2]! - src[a + 2]!) * fx;
        r = ur + (src[d]! + (src[e]! - src[d]!) * fx - ur) * fy;
        g = ug + (src[d + 1]! + (src[e + 1]! - src[d + 1]!) * fx - ug) * fy;
        b = ub + (src[d + 2]! + (src[e + 2]! - src[d + 2]!) * fx - ub) * fy;
      }
      // BGR planes: blue first.
      out[row + x] = b * mb + ab;
      out[row + x + plane] = g * mg + ag;
      out[row + x + 2 * plane] = r * mr + ar;
    }
  }
}

/** Any projective map, and shrinking frames: `gridX` x `gridY` bilinear samples per output pixel. */
function writeSampled(image: RawImage, warp: Warp, slot: TensorSlot, stepX: number, stepY: number, gridX: number, gridY: number): void {
  const margin = slot.margin ?? 0;
  const background = slot.background ?? [255, 255, 255];
  const { mul, add } = slot.normalisation;
  const plane = slot.height * slot.rowWidth;
  const base = slot.item * 3 * plane;
  const pixel = new Float64Array(3);
  const h = warp.toImage;
  const n = gridX * gridY;
  for (let y = 0; y < slot.height; y++) {
    for (let x = 0; x < slot.width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let gy = 0; gy < gridY; gy++) {
        // Frame coordinates of this sample: the output pixel's footprint split into a grid.
        const v = (y + (gy + 0.5) / gridY) * stepY - 0.5 - margin;
        for (let gx = 0; gx < gridX; gx++) {
          const u = (x + (gx + 0.5) / gridX) * stepX - 0.5 - margin;
          if (u < -0.5 || v < -0.5 || u > warp.width - 0.5 || v > warp.height - 0.5) {
            r += background[0]!;
            g += background[1]!;
            b += background[2]!;
          } else {
            sampleProjective(image, h, u, v, pixel);
            r += pixel[0]!;
            g += pixel[1]!;
            b += pixel[2]!;
          }
        }
      }
      const at = base + y * slot.rowWidth + x;
      slot.data[at] = (b / n) * mul[0] + add[0];
      slot.data[at + plane] = (g / n) * mul[1] + add[1];
      slot.data[at + 2 * plane] = (r / n) * mul[2] + add[2];
    }
  }
}
