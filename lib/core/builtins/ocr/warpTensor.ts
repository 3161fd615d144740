import type { RawImage } from '../../processing/image/RawImage';
import type { Warp } from './boxWarp';

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

/**
 * Writes the warped frame, with its margin of paper, scaled to `slot.width` x `slot.height` and
 * normalised, into its place in a BGR NCHW batch: cutting, padding, resizing and the tensor's
 * layout in one pass from the original pixels (one interpolation instead of two, and none of the
 * intermediate images). Pixel centres map as OpenCV's INTER_LINEAR does; when the frame shrinks
 * by 1.5x or more, each output pixel averages a grid of about one sample per source pixel of its
 * footprint, so thin strokes are not skipped. An upright rectangle (most boxes of printed text)
 * takes a separable path: tables of columns and rows, no projective division per sample.
 */
export function writeWarped(image: RawImage, warp: Warp, slot: TensorSlot): void {
  const margin = slot.margin ?? 0;
  const x = axisSteps((warp.width + 2 * margin) / slot.width);
  const y = axisSteps((warp.height + 2 * margin) / slot.height);
  const h = warp.toImage;
  if (h[1] === 0 && h[3] === 0 && h[6] === 0 && h[7] === 0) writeSeparable(image, warp, slot, x, y);
  else writeSampled(image, warp, slot, x, y);
}

interface AxisSteps {
  /** Frame pixels per output pixel. */
  step: number;
  /** Samples per output pixel along this axis. */
  grid: number;
}

function axisSteps(step: number): AxisSteps {
  return { step, grid: step >= 1.5 ? Math.round(step) : 1 };
}

/** Frame coordinate of sample `g` of output pixel `i`: the pixel's footprint split into `grid` parts. */
function frameAt(i: number, g: number, { step, grid }: AxisSteps, margin: number): number {
  return (i + (g + 0.5) / grid) * step - 0.5 - margin;
}

/** Axis-aligned map: per axis, each sample's two source indices and weight, or outside the frame. */
function writeSeparable(image: RawImage, warp: Warp, slot: TensorSlot, xs: AxisSteps, ys: AxisSteps): void {
  const margin = slot.margin ?? 0;
  const h = warp.toImage;
  const table = (count: number, steps: AxisSteps, size: number, scale: number, offset: number, limit: number) => {
    const n = count * steps.grid;
    const low = new Int32Array(n);
    const high = new Int32Array(n);
    const weight = new Float64Array(n);
    const inside = new Uint8Array(n);
    for (let i = 0; i < count; i++) {
      for (let g = 0; g < steps.grid; g++) {
        const f = frameAt(i, g, steps, margin);
        if (f < -0.5 || f > size - 0.5) continue;
        const k = i * steps.grid + g;
        inside[k] = 1;
        const at = Math.min(limit - 1, Math.max(0, (scale * f + offset) / h[8]!));
        low[k] = Math.floor(at);
        high[k] = Math.min(limit - 1, low[k]! + 1);
        weight[k] = at - low[k]!;
      }
    }
    return { low, high, weight, inside };
  };
  const cols = table(slot.width, xs, warp.width, h[0]!, h[2]!, image.width);
  const rows = table(slot.height, ys, warp.height, h[4]!, h[5]!, image.height);
  const [mb, mg, mr] = slot.normalisation.mul;
  const [ab, ag, ar] = slot.normalisation.add;
  const [br, bg, bb] = slot.background ?? [255, 255, 255];
  const { data: src, width: sw } = image;
  const out = slot.data;
  const { height, width, rowWidth } = slot;
  const plane = height * rowWidth;
  const base = slot.item * 3 * plane;
  const gx = xs.grid;
  const gy = ys.grid;
  const samples = gx * gy;
  const { low: lefts, high: rights, weight: fxs, inside: columnInside } = cols;
  const { low: tops, high: bottoms, weight: fys, inside: rowInside } = rows;
  for (let y = 0; y < height; y++) {
    const row = base + y * rowWidth;
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      if (samples === 1 && rowInside[y] === 1 && columnInside[x] === 1) {
        // The common case (no shrinking, inside the box) without the grid's loops, which cost it most of its time.
        const top = tops[y]! * sw;
        const bottom = bottoms[y]! * sw;
        const a = (top + lefts[x]!) * 3;
        const c = (top + rights[x]!) * 3;
        const d = (bottom + lefts[x]!) * 3;
        const e = (bottom + rights[x]!) * 3;
        out[row + x] = bilinear(src, a + 2, c + 2, d + 2, e + 2, fxs[x]!, fys[y]!) * mb + ab;
        out[row + x + plane] = bilinear(src, a + 1, c + 1, d + 1, e + 1, fxs[x]!, fys[y]!) * mg + ag;
        out[row + x + 2 * plane] = bilinear(src, a, c, d, e, fxs[x]!, fys[y]!) * mr + ar;
        continue;
      }
      for (let j = y * gy; j < (y + 1) * gy; j++) {
        const top = tops[j]! * sw;
        const bottom = bottoms[j]! * sw;
        const fy = fys[j]!;
        for (let i = x * gx; i < (x + 1) * gx; i++) {
          if (rowInside[j] === 1 && columnInside[i] === 1) {
            const a = (top + lefts[i]!) * 3;
            const c = (top + rights[i]!) * 3;
            const d = (bottom + lefts[i]!) * 3;
            const e = (bottom + rights[i]!) * 3;
            const fx = fxs[i]!;
            r += bilinear(src, a, c, d, e, fx, fy);
            g += bilinear(src, a + 1, c + 1, d + 1, e + 1, fx, fy);
            b += bilinear(src, a + 2, c + 2, d + 2, e + 2, fx, fy);
          } else {
            r += br;
            g += bg;
            b += bb;
          }
        }
      }
      // BGR planes: blue first.
      out[row + x] = (b / samples) * mb + ab;
      out[row + x + plane] = (g / samples) * mg + ag;
      out[row + x + 2 * plane] = (r / samples) * mr + ar;
    }
  }
}

/** One channel between four pixels at byte offsets a, c (one row) and d, e (the row below). */
function bilinear(src: Uint8Array, a: number, c: number, d: number, e: number, fx: number, fy: number): number {
  const upper = src[a]! + (src[c]! - src[a]!) * fx;
  return upper + (src[d]! + (src[e]! - src[d]!) * fx - upper) * fy;
}

/** Any projective map (a tilted or turned box): each sample through the homography, bilinear. */
function writeSampled(image: RawImage, warp: Warp, slot: TensorSlot, xs: AxisSteps, ys: AxisSteps): void {
  const margin = slot.margin ?? 0;
  const [br, bg, bb] = slot.background ?? [255, 255, 255];
  const [mb, mg, mr] = slot.normalisation.mul;
  const [ab, ag, ar] = slot.normalisation.add;
  const out = slot.data;
  const { height, width, rowWidth } = slot;
  const plane = height * rowWidth;
  const base = slot.item * 3 * plane;
  const samples = xs.grid * ys.grid;
  const right = warp.width - 0.5;
  const bottom = warp.height - 0.5;
  const { data: src, width: sw, height: sh } = image;
  const [h0, h1, h2, h3, h4, h5, h6, h7, h8] = warp.toImage as [number, number, number, number, number, number, number, number, number];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let gy = 0; gy < ys.grid; gy++) {
        const v = frameAt(y, gy, ys, margin);
        for (let gx = 0; gx < xs.grid; gx++) {
          const u = frameAt(x, gx, xs, margin);
          if (u < -0.5 || v < -0.5 || u > right || v > bottom) {
            r += br;
            g += bg;
            b += bb;
          } else {
            // perspectiveCrop's sampling (sampleProjective), without its per-sample array writes.
            const w = h6 * u + h7 * v + h8;
            const sx = Math.min(sw - 1, Math.max(0, (h0 * u + h1 * v + h2) / w));
            const sy = Math.min(sh - 1, Math.max(0, (h3 * u + h4 * v + h5) / w));
            const x0 = Math.floor(sx);
            const y0 = Math.floor(sy);
            const fx = sx - x0;
            const fy = sy - y0;
            const x1 = Math.min(sw - 1, x0 + 1);
            const y1 = Math.min(sh - 1, y0 + 1);
            const a = (y0 * sw + x0) * 3;
            const c = (y0 * sw + x1) * 3;
            const d = (y1 * sw + x0) * 3;
            const e = (y1 * sw + x1) * 3;
            r += bilinear(src, a, c, d, e, fx, fy);
            g += bilinear(src, a + 1, c + 1, d + 1, e + 1, fx, fy);
            b += bilinear(src, a + 2, c + 2, d + 2, e + 2, fx, fy);
          }
        }
      }
      const at = base + y * rowWidth + x;
      out[at] = (b / samples) * mb + ab;
      out[at + plane] = (g / samples) * mg + ag;
      out[at + 2 * plane] = (r / samples) * mr + ar;
    }
  }
}
