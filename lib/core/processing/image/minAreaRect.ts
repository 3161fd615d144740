import type { Point } from './quad';

/** A rotated rectangle: its four corners (in hull order) and the lengths of its sides. */
export interface RotatedRect {
  corners: [Point, Point, Point, Point];
  /** Side along the first corner pair, and the other side. */
  width: number;
  height: number;
}

/**
 * Convex hull (Andrew's monotone chain), counter-clockwise in a y-up frame, no collinear or
 * repeated points: one point for a point, two for a line. A one-pixel region of a probability map
 * gives its one pixel twice (its row's leftmost and rightmost): repeats are dropped first, or a
 * "hull" of two equal points would have no edge to measure.
 */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = [...points]
    .sort((a, b) => a.x - b.x || a.y - b.y)
    .filter((p, i, all) => i === 0 || p.x !== all[i - 1]!.x || p.y !== all[i - 1]!.y);
  if (sorted.length <= 2) return sorted;
  const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = sorted.length - 1; i >= 0; i--) {
    const p = sorted[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/**
 * The smallest-area rectangle around the points, as OpenCV's minAreaRect finds it: one side
 * lies along an edge of the convex hull (rotating calipers, Freeman & Shapira 1975), so trying
 * each hull edge finds it. Hulls of text components have tens of vertices: O(n^2) is fine.
 * Degenerate sets give degenerate rectangles, never none: a point has width and height 0, points
 * on a line a height of 0 (callers drop what has no area).
 */
export function minAreaRect(points: readonly Point[]): RotatedRect {
  const hull = convexHull(points);
  if (hull.length === 0) throw new RangeError('minAreaRect needs at least one point');
  if (hull.length === 1) {
    const p = hull[0]!;
    return { corners: [p, p, p, p], width: 0, height: 0 };
  }
  let best: RotatedRect | undefined;
  let bestArea = Infinity;
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!;
    const b = hull[(i + 1) % hull.length]!;
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (length === 0) continue;
    const ux = (b.x - a.x) / length;
    const uy = (b.y - a.y) / length;
    let minU = Infinity,
      maxU = -Infinity,
      minV = Infinity,
      maxV = -Infinity;
    for (const p of hull) {
      const u = (p.x - a.x) * ux + (p.y - a.y) * uy;
      const v = -(p.x - a.x) * uy + (p.y - a.y) * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    // The first edge always counts: an area that overflows to Infinity is still a rectangle.
    if (best === undefined || area < bestArea) {
      bestArea = area;
      const at = (u: number, v: number): Point => ({ x: a.x + u * ux - v * uy, y: a.y + u * uy + v * ux });
      best = { corners: [at(minU, minV), at(maxU, minV), at(maxU, maxV), at(minU, maxV)], width: maxU - minU, height: maxV - minV };
    }
  }
  return best!;
}

/**
 * The rectangle grown by `distance` on every side. DB's unclip offsets the shrunk text kernel
 * with pyclipper (round joins) and takes minAreaRect of the result: for a rectangle that is
 * exactly this rectangle, so no polygon-clipping library is needed.
 */
export function growRect(rect: RotatedRect, distance: number): RotatedRect {
  const [c0, c1, , c3] = rect.corners;
  const along = unit(c0, c1, { x: 1, y: 0 });
  const across = unit(c0, c3, { x: -along.y, y: along.x });
  const origin = { x: c0.x - (along.x + across.x) * distance, y: c0.y - (along.y + across.y) * distance };
  const width = rect.width + 2 * distance;
  const height = rect.height + 2 * distance;
  const at = (u: number, v: number): Point => ({ x: origin.x + u * along.x + v * across.x, y: origin.y + u * along.y + v * across.y });
  return { corners: [at(0, 0), at(width, 0), at(width, height), at(0, height)], width, height };
}

function unit(from: Point, to: Point, fallback: Point): Point {
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  return length === 0 ? fallback : { x: (to.x - from.x) / length, y: (to.y - from.y) / length };
}
