import type { RawImage } from './RawImage';
import { quadSize, type Point, type Quad } from './quad';

/**
 * The quad's content cut out and warped upright into a `width` x `height` image (PaddleOCR's
 * get_rotate_crop_image: size from the longer opposite sides, a perspective transform, edge
 * pixels replicated outside the image). Bilinear sampling in plain JS: crops are a few thousand
 * pixels each, and the one library that does this (OpenCV) is an 8-10 MB WASM build.
 */
export function perspectiveCrop(image: RawImage, quad: Quad): RawImage {
  const size = quadSize(quad);
  const width = Math.max(1, Math.round(size.width));
  const height = Math.max(1, Math.round(size.height));
  const h = homography(
    [
      { x: 0, y: 0 },
      { x: width, y: 0 },
      { x: width, y: height },
      { x: 0, y: height },
    ],
    quad,
  );
  const out = new Uint8Array(width * height * 3);
  const pixel = new Float64Array(3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      sampleProjective(image, h, x, y, pixel);
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(pixel[c]!);
    }
  }
  return { data: out, width, height, channels: 3 };
}

/**
 * Bilinear RGB of the image at the point the projective map `h` (row-major 3x3) takes (u, v) to,
 * edge pixels replicated outside the image; written into `out`.
 */
export function sampleProjective(image: RawImage, h: readonly number[], u: number, v: number, out: Float64Array): void {
  const { data, width: sw, height: sh } = image;
  const w = h[6]! * u + h[7]! * v + (h[8] ?? 1);
  const sx = Math.min(sw - 1, Math.max(0, (h[0]! * u + h[1]! * v + h[2]!) / w));
  const sy = Math.min(sh - 1, Math.max(0, (h[3]! * u + h[4]! * v + h[5]!) / w));
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const x1 = Math.min(sw - 1, x0 + 1);
  const y1 = Math.min(sh - 1, y0 + 1);
  const fx = sx - x0;
  const fy = sy - y0;
  for (let c = 0; c < 3; c++) {
    const top = data[(y0 * sw + x0) * 3 + c]! * (1 - fx) + data[(y0 * sw + x1) * 3 + c]! * fx;
    const bottom = data[(y1 * sw + x0) * 3 + c]! * (1 - fx) + data[(y1 * sw + x1) * 3 + c]! * fx;
    out[c] = top * (1 - fy) + bottom * fy;
  }
}

/**
 * The 3x3 projective map (h[8] = 1) taking each `from` point to its `to` point: the 8x8 linear
 * system of the four correspondences, solved by Gaussian elimination with partial pivoting.
 */
export function homography(from: readonly Point[], to: readonly Point[]): number[] {
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = from[i]!;
    const { x: u, y: v } = to[i]!;
    rows.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    rows.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) if (Math.abs(rows[r]![col]!) > Math.abs(rows[pivot]![col]!)) pivot = r;
    [rows[col], rows[pivot]] = [rows[pivot]!, rows[col]!];
    const p = rows[col]![col]!;
    if (Math.abs(p) < 1e-12) throw new RangeError('the four points are degenerate: no perspective transform maps them');
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const f = rows[r]![col]! / p;
      if (f === 0) continue;
      for (let c = col; c < 9; c++) rows[r]![c]! -= f * rows[col]![c]!;
    }
  }
  return [...rows.map((row, i) => row[8]! / row[i]!), 1];
}
