/** A point in image pixels (x right, y down). */
export interface Point {
  x: number;
  y: number;
}

/** Four corners of a text box, clockwise from the top-left: top-left, top-right, bottom-right, bottom-left. */
export type Quad = readonly [Point, Point, Point, Point];

/**
 * Four corners in PaddleOCR's order (db_postprocess get_mini_boxes): of the two leftmost points
 * the upper is the top-left and the lower the bottom-left; of the two rightmost, the upper is
 * the top-right. Works for any box tilted less than 45 degrees.
 */
export function orderQuad(points: readonly Point[]): Quad {
  if (points.length !== 4) throw new RangeError(`a quad has 4 corners, got ${points.length}`);
  const byX = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  const [l0, l1, r0, r1] = byX as [Point, Point, Point, Point];
  const [topLeft, bottomLeft] = l0.y <= l1.y ? [l0, l1] : [l1, l0];
  const [topRight, bottomRight] = r0.y <= r1.y ? [r0, r1] : [r1, r0];
  return [topLeft, topRight, bottomRight, bottomLeft];
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** Width and height of a quad's upright crop: the longer of each pair of opposite sides. */
export function quadSize(quad: Quad): { width: number; height: number } {
  const [tl, tr, br, bl] = quad;
  return { width: Math.max(distance(tl, tr), distance(bl, br)), height: Math.max(distance(tl, bl), distance(tr, br)) };
}

/**
 * Twice the smallest triangle a warpable quad's corner may span, in square pixels: well above
 * rounding noise, well below any box of text (a 1 x 1 box spans 1).
 */
const MIN_CORNER_TURN = 0.25;

/**
 * How far under a pixel a side may measure and still count as one: a 1 x 1 box turned by a
 * hair measures 0.99999999999998 after the sines and square roots (its crop rounds to 1 x 1).
 */
const SIDE_ROUNDING = 1e-9;

/**
 * Whether a perspective map takes an upright rectangle onto the quad: its corners all turn the
 * same way (convex, no three on one line) and its upright crop is at least a pixel each way.
 * Clipping a box to the image can flatten it: on an image a few pixels wide three corners can
 * land on the same edge while the sides between them still measure over a pixel, and the
 * homography of such a quad has no solution (perspectiveCrop's throws).
 */
export function isWarpable(quad: Quad): boolean {
  if (!quad.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))) return false;
  const { width, height } = quadSize(quad);
  if (!(width >= 1 - SIDE_ROUNDING && height >= 1 - SIDE_ROUNDING)) return false;
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const a = quad[i]!;
    const b = quad[(i + 1) % 4]!;
    const c = quad[(i + 2) % 4]!;
    const turn = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
    if (!(Math.abs(turn) >= MIN_CORNER_TURN) || (sign !== 0 && Math.sign(turn) !== sign)) return false;
    sign = Math.sign(turn);
  }
  return true;
}
