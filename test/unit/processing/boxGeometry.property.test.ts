import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boxWarp } from '../../../lib/core/builtins/ocr/boxWarp';
import { boxesInImage } from '../../../lib/core/builtins/ocr/detectText';
import { convexHull, growRect, minAreaRect, type RotatedRect } from '../../../lib/core/processing/image/minAreaRect';
import { perspectiveCrop } from '../../../lib/core/processing/image/perspectiveCrop';
import { isWarpable, orderQuad, quadSize, type Point, type Quad } from '../../../lib/core/processing/image/quad';
import { textBoxes, type TextBox } from '../../../lib/core/processing/image/textBoxes';

/**
 * The box geometry of DB post-processing (issue 27): a one-pixel region gave two equal hull
 * points, minAreaRect returned nothing, and OCR answered 500. Random point sets, maps and quads,
 * the degenerate ones (points, lines, repeats, huge and negative coordinates) drawn often.
 */

/** Coordinates as they come: small integers (repeats and collinear triples are likely), any double in +-1e9. */
const coordinate = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }),
  fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }),
);
const point = fc.record({ x: coordinate, y: coordinate });
const collinear = fc
  .tuple(
    point,
    fc.record({ x: fc.integer({ min: -5, max: 5 }), y: fc.integer({ min: -5, max: 5 }) }),
    fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 12 }),
  )
  .map(([origin, step, ks]) => ks.map((k) => ({ x: origin.x + k * step.x, y: origin.y + k * step.y })));
const repeated = fc.tuple(point, fc.integer({ min: 1, max: 8 })).map(([p, n]) => Array.from({ length: n }, () => ({ ...p })));
const pointSets = fc.oneof(fc.array(point, { minLength: 1, maxLength: 30 }), collinear, repeated);

/** How far off a point may be, for the size of the numbers involved. */
function tolerance(points: readonly Point[]): number {
  return 1e-6 * Math.max(1, ...points.flatMap((p) => [Math.abs(p.x), Math.abs(p.y)]));
}

/**
 * Whether the point lies in the rectangle, within `tol`: measured along its longer side and the
 * exact perpendicular (a side of no length has no direction of its own), from its first corner.
 */
function insideRect(rect: RotatedRect, p: Point, tol: number): boolean {
  const [c0, c1, , c3] = rect.corners;
  const [long, other] = rect.width >= rect.height ? [c1, c3] : [c3, c1];
  const length = Math.hypot(long.x - c0.x, long.y - c0.y);
  if (length <= tol) return Math.hypot(p.x - c0.x, p.y - c0.y) <= 2 * tol;
  const e1 = { x: (long.x - c0.x) / length, y: (long.y - c0.y) / length };
  const e2 = { x: -e1.y, y: e1.x };
  const along = (q: Point, e: Point) => (q.x - c0.x) * e.x + (q.y - c0.y) * e.y;
  const u = along(p, e1);
  const v = along(p, e2);
  const side = along(other, e2);
  return u >= -tol && u <= length + tol && v >= Math.min(0, side) - tol && v <= Math.max(0, side) + tol;
}

describe('box geometry on any point set', () => {
  it('the hull has no repeated points, and is empty only for no points', () => {
    fc.assert(
      fc.property(pointSets, (points) => {
        const hull = convexHull(points);
        expect(hull.length).toBeGreaterThan(0);
        expect(new Set(hull.map((p) => `${p.x},${p.y}`)).size).toBe(hull.length);
      }),
    );
  });

  it('minAreaRect always answers a rectangle holding every point, no larger than the upright bounding box', () => {
    fc.assert(
      fc.property(pointSets, (points) => {
        const rect = minAreaRect(points);
        const tol = tolerance(points);
        expect(rect.corners).toHaveLength(4);
        expect([rect.width, rect.height].every((s) => Number.isFinite(s) && s >= 0)).toBe(true);
        expect(rect.corners.every((c) => Number.isFinite(c.x) && Number.isFinite(c.y))).toBe(true);
        expect(points.filter((p) => !insideRect(rect, p, tol * 10))).toEqual([]);
        const xs = points.map((p) => p.x);
        const ys = points.map((p) => p.y);
        const box = (Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys));
        expect(rect.width * rect.height).toBeLessThanOrEqual(box * (1 + 1e-9) + tol * tol);
      }),
    );
  });

  it('a point, a line and a collinear set give a rectangle with no area', () => {
    fc.assert(
      fc.property(fc.oneof(repeated, collinear), (points) => {
        const rect = minAreaRect(points);
        expect(Math.min(rect.width, rect.height)).toBeLessThanOrEqual(tolerance(points));
      }),
    );
  });

  it('minAreaRect answers (never throws) for any finite doubles, extreme ones included', () => {
    const anyDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.array(fc.record({ x: anyDouble, y: anyDouble }), { minLength: 1, maxLength: 12 }), (points) => {
        const rect = minAreaRect(points);
        expect(rect.corners).toHaveLength(4);
        expect(orderQuad(growRect(rect, 1).corners)).toHaveLength(4);
      }),
    );
  });

  it('growRect then orderQuad of a rectangle with area gives a warpable quad (convex, clockwise from the top-left)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        fc.double({ min: 1, max: 2000, noNaN: true }),
        fc.double({ min: 1, max: 200, noNaN: true }),
        fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (cx, cy, w, h, angle, grow) => {
          const corners = [
            [0, 0],
            [w, 0],
            [w, h],
            [0, h],
          ].map(([u, v]) => ({ x: cx + u! * Math.cos(angle) - v! * Math.sin(angle), y: cy + u! * Math.sin(angle) + v! * Math.cos(angle) }));
          const quad = orderQuad(growRect(minAreaRect(corners), grow).corners);
          expect(isWarpable(quad)).toBe(true);
          const [tl, tr, , bl] = quad;
          // Clockwise in image pixels (y down): the top edge turns right into the right edge.
          expect((tr.x - tl.x) * (bl.y - tl.y) - (tr.y - tl.y) * (bl.x - tl.x)).toBeGreaterThan(0);
        },
      ),
      // CI's counterexample: a 1 x 1 box turned by 1e-8 rad measured 0.99999999999998 high.
      { examples: [[0, 127.45822906346675, 1, 1, 9.94490617634014e-9, 0]] },
    );
  });
});

/** A probability map of 1-24 pixels a side: sparse specks, lines and blobs, values around both thresholds. */
const probabilityMap = fc
  .record({ width: fc.integer({ min: 1, max: 24 }), height: fc.integer({ min: 1, max: 24 }) })
  .chain(({ width, height }) =>
    fc
      .array(
        fc.oneof(fc.constant(0), fc.constantFrom(0.1, 0.3, 0.31, 0.59, 0.6, 0.7, 0.95, 1), fc.double({ min: 0, max: 1, noNaN: true })),
        {
          minLength: width * height,
          maxLength: width * height,
        },
      )
      .map((values) => ({ data: Float32Array.from(values), width, height })),
  );
const boxOptions = fc.record(
  {
    threshold: fc.constantFrom(0, 0.3, 0.5),
    boxThreshold: fc.constantFrom(0, 0.6),
    unclipRatio: fc.constantFrom(0, 1.5, 3),
    minSize: fc.constantFrom(-3, 0, 1, 3),
  },
  { requiredKeys: [] },
);

describe('textBoxes on any probability map', () => {
  it('answers boxes with area, finite corners and sides of at least minSize + 2, never throws, whatever the options', () => {
    fc.assert(
      fc.property(probabilityMap, boxOptions, (map, options) => {
        const minSize = options.minSize ?? 3;
        for (const box of textBoxes(map, options)) {
          expect(box.quad.every((p) => Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(true);
          const { width, height } = quadSize(box.quad);
          expect(Math.min(width, height)).toBeGreaterThan(0);
          expect(Math.min(width, height)).toBeGreaterThanOrEqual(minSize + 2 - 1e-9);
          // Any sane minSize (0 or more) leaves sides of 2 px or more: an upright crop.
          if (minSize >= 0) expect(isWarpable(box.quad)).toBe(true);
          expect(box.score).toBeGreaterThanOrEqual(options.boxThreshold ?? 0.6);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('drops a one-pixel region: the image that made OCR answer 500', () => {
    const data = new Float32Array(8 * 8);
    data[3 * 8 + 4] = 0.68; // one pixel over both thresholds, alone
    expect(textBoxes({ data, width: 8, height: 8 })).toEqual([]);
    expect(textBoxes({ data, width: 8, height: 8 }, { minSize: 0 })).toEqual([]);
  });

  it('drops regions one pixel wide or high (lines), whatever minSize', () => {
    const data = new Float32Array(16 * 16);
    for (let i = 2; i < 12; i++) {
      data[2 * 16 + i] = 0.9; // a row
      data[(i + 3) * 16 + 14] = 0.9; // a column
    }
    data[13 * 16 + 1] = 0.9; // a diagonal pair
    data[14 * 16 + 2] = 0.9;
    for (const minSize of [3, 0, -3]) expect(textBoxes({ data, width: 16, height: 16 }, { minSize })).toEqual([]);
  });
});

/** Any four points: degenerate quads (repeats, three on a line, bow ties) drawn often. */
const anyQuad = fc.tuple(point, point, point, point) as unknown as fc.Arbitrary<Quad>;
const cornerIn = (max: number) =>
  fc.record({ x: fc.oneof(fc.integer({ min: 0, max }), fc.double({ min: 0, max, noNaN: true })), y: fc.integer({ min: 0, max }) });
/** Quads in an image's range of pixels (a 16.7 MP image is at most 16.7 M pixels on a side). */
const imageQuad = fc.tuple(cornerIn(20_000), cornerIn(20_000), cornerIn(20_000), cornerIn(20_000)) as unknown as fc.Arbitrary<Quad>;
const smallQuad = fc.tuple(cornerIn(6), cornerIn(6), cornerIn(6), cornerIn(6)) as unknown as fc.Arbitrary<Quad>;

describe('isWarpable guards every perspective map', () => {
  it('a warpable quad of any size has a finite map at every quarter turn', () => {
    fc.assert(
      fc.property(fc.oneof(anyQuad, imageQuad, smallQuad), fc.integer({ min: 0, max: 3 }), (quad, turns) => {
        fc.pre(isWarpable(quad));
        expect(boxWarp(quad, turns).toImage.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("a warpable quad in an image's range has a map taking its upright frame onto its corners", () => {
    fc.assert(
      fc.property(fc.oneof(imageQuad, smallQuad), (quad) => {
        fc.pre(isWarpable(quad));
        const { width, height, toImage: h } = boxWarp(quad);
        const map = (u: number, v: number) => {
          const w = h[6]! * u + h[7]! * v + h[8]!;
          return { x: (h[0]! * u + h[1]! * v + h[2]!) / w, y: (h[3]! * u + h[4]! * v + h[5]!) / w };
        };
        const got = [map(0, 0), map(width, 0), map(width, height), map(0, height)];
        got.forEach((p, i) => expect(Math.hypot(p.x - quad[i]!.x, p.y - quad[i]!.y)).toBeLessThanOrEqual(tolerance(quad)));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses quads with repeated corners or three corners on a line', () => {
    const q = (...xy: number[]): Quad => [0, 1, 2, 3].map((i) => ({ x: xy[2 * i]!, y: xy[2 * i + 1]! })) as unknown as Quad;
    expect(isWarpable(q(0, 0, 10, 0, 10, 5, 0, 5))).toBe(true);
    expect(isWarpable(q(0, 0, 10, 0, 10, 0, 0, 5))).toBe(false); // a repeated corner
    expect(isWarpable(q(0, 0, 0, 3, 0, 7, 0, 9))).toBe(false); // all on x = 0, sides still over a pixel
    expect(isWarpable(q(76.5, 3, 83.1, 2.8, 85.7, 3, 79.2, 3))).toBe(false); // three on y = 3: a box clipped to a 4 px high image
    expect(isWarpable(q(0, 0, 10, 5, 10, 0, 0, 5))).toBe(false); // a bow tie
  });

  it('perspectiveCrop cuts any warpable quad from a small image', () => {
    const image = { data: new Uint8Array(7 * 7 * 3).fill(200), width: 7, height: 7, channels: 3 as const };
    fc.assert(
      fc.property(smallQuad, (quad) => {
        fc.pre(isWarpable(quad));
        const crop = perspectiveCrop(image, quad);
        expect(crop.data.every((v) => v === 200)).toBe(true);
      }),
    );
  });
});

describe('boxesInImage: DB boxes scaled and clipped to images of any size', () => {
  const rotatedBox = fc
    .record({
      cx: fc.double({ min: -8, max: 72, noNaN: true }),
      cy: fc.double({ min: -8, max: 72, noNaN: true }),
      w: fc.double({ min: 5, max: 60, noNaN: true }),
      h: fc.double({ min: 5, max: 20, noNaN: true }),
      angle: fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
    })
    .map(({ cx, cy, w, h, angle }): TextBox => {
      const corners = [
        [-w / 2, -h / 2],
        [w / 2, -h / 2],
        [w / 2, h / 2],
        [-w / 2, h / 2],
      ].map(([u, v]) => ({ x: cx + u! * Math.cos(angle) - v! * Math.sin(angle), y: cy + u! * Math.sin(angle) + v! * Math.cos(angle) }));
      return { quad: orderQuad(corners), score: 0.9 };
    });

  it('drops a box clipped flat on a 363 x 1 image: its corners on one line, the perspective map threw (a 500)', () => {
    const corners = [
      [-2.4102910115347544, -2.586599551479658],
      [2.586599551479658, -2.4102910115347544],
      [2.4102910115347544, 2.586599551479658],
      [-2.586599551479658, 2.4102910115347544],
    ].map(([x, y]) => ({ x: x!, y: y! }));
    expect(boxesInImage([{ quad: corners as unknown as Quad, score: 0.9 }], { width: 64, height: 64 }, { width: 363, height: 1 })).toEqual(
      [],
    );
  });

  it('keeps only boxes with an upright crop, inside the image, however thin the image', () => {
    fc.assert(
      fc.property(
        fc.array(rotatedBox, { maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 400 }),
        fc.boolean(),
        (boxes, thin, long, tall) => {
          const image = tall ? { width: thin, height: long } : { width: long, height: thin };
          const map = { width: 64, height: 64 };
          for (const { quad } of boxesInImage(boxes, map, image)) {
            expect(quad.every((p) => p.x >= 0 && p.y >= 0 && p.x <= image.width - 1 && p.y <= image.height - 1)).toBe(true);
            const { width, height } = quadSize(quad);
            expect(() => boxWarp(quad, height >= 1.5 * width ? 1 : 0)).not.toThrow();
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
