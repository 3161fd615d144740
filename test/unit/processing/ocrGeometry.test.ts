import { describe, expect, it } from 'vitest';
import { convexHull, growRect, minAreaRect } from '../../../lib/core/processing/image/minAreaRect';
import { padWithBackground } from '../../../lib/core/processing/image/padImage';
import { homography, perspectiveCrop } from '../../../lib/core/processing/image/perspectiveCrop';
import { orderQuad, type Quad } from '../../../lib/core/processing/image/quad';
import { rotate180, rotate90CounterClockwise } from '../../../lib/core/processing/image/rotateImage';
import { textBoxes } from '../../../lib/core/processing/image/textBoxes';
import { readingOrder } from '../../../lib/core/builtins/ocr/readingOrder';
import type { RawImage } from '../../../lib/core/processing/image/RawImage';

const quad = (x: number, y: number, w: number, h: number): Quad => [
  { x, y },
  { x: x + w, y },
  { x: x + w, y: y + h },
  { x, y: y + h },
];

/** A probability map with rectangles of the given value on zeros. */
function mapWith(width: number, height: number, rects: { x: number; y: number; w: number; h: number; p: number }[]) {
  const data = new Float32Array(width * height);
  for (const r of rects) for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) data[y * width + x] = r.p;
  return { data, width, height };
}

describe('minAreaRect', () => {
  it('finds the axis-aligned rectangle of points on a grid', () => {
    const points = [0, 1, 2, 3].flatMap((y) => [
      { x: 10, y },
      { x: 30, y },
    ]);
    const rect = minAreaRect(points);
    expect([rect.width * rect.height, Math.max(rect.width, rect.height), Math.min(rect.width, rect.height)]).toEqual([60, 20, 3]);
  });

  it('follows a rectangle turned by 30 degrees: its sides, not the bounding box', () => {
    const angle = Math.PI / 6;
    const corners = [
      [0, 0],
      [100, 0],
      [100, 20],
      [0, 20],
    ].map(([u, v]) => ({
      x: 50 + u! * Math.cos(angle) - v! * Math.sin(angle),
      y: 50 + u! * Math.sin(angle) + v! * Math.cos(angle),
    }));
    const rect = minAreaRect(corners);
    expect(Math.max(rect.width, rect.height)).toBeCloseTo(100, 6);
    expect(Math.min(rect.width, rect.height)).toBeCloseTo(20, 6);
  });

  it('drops interior and collinear points from the hull', () => {
    expect(
      convexHull([
        { x: 0, y: 0 },
        { x: 5, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 10 },
        { x: 0, y: 10 },
        { x: 5, y: 5 },
      ]),
    ).toHaveLength(4);
  });

  it('grows a rectangle by the distance on every side', () => {
    const grown = growRect(
      minAreaRect([
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 4 },
        { x: 0, y: 4 },
      ]),
      2,
    );
    const q = orderQuad(grown.corners);
    expect(q.map((p) => [Math.round(p.x), Math.round(p.y)])).toEqual([
      [-2, -2],
      [12, -2],
      [12, 6],
      [-2, 6],
    ]);
  });
});

describe('textBoxes (DB post-processing)', () => {
  it('finds one box per text region, grown back by the unclip distance, in map pixels', () => {
    const boxes = textBoxes(
      mapWith(100, 60, [
        { x: 10, y: 10, w: 41, h: 9, p: 0.9 },
        { x: 10, y: 40, w: 61, h: 11, p: 0.8 },
      ]),
    );
    expect(boxes).toHaveLength(2);
    // Region 40 x 8 between pixel centres: d = 40 * 8 * 1.5 / 96 = 5.
    const first = boxes.find((b) => b.quad[0].y < 20)!;
    expect(first.quad.map((p) => [Math.round(p.x), Math.round(p.y)])).toEqual([
      [5, 5],
      [55, 5],
      [55, 23],
      [5, 23],
    ]);
    expect(first.score).toBeCloseTo(0.9, 5);
  });

  it('drops weak regions (box threshold) and specks (minimum size)', () => {
    const map = mapWith(100, 60, [
      { x: 10, y: 10, w: 40, h: 8, p: 0.5 },
      { x: 70, y: 40, w: 2, h: 2, p: 0.99 },
    ]);
    expect(textBoxes(map)).toEqual([]);
    expect(textBoxes(map, { boxThreshold: 0.4 })).toHaveLength(1);
  });

  it('refuses a map whose data does not match its size', () => {
    expect(() => textBoxes({ data: new Float32Array(10), width: 4, height: 4 })).toThrow(/needs 16 values/);
  });
});

describe('perspective crop', () => {
  const image: RawImage = {
    width: 4,
    height: 3,
    channels: 3,
    data: Uint8Array.from({ length: 36 }, (_, i) => Math.floor(i / 3) * 10),
  };

  it('maps the destination corners onto the quad', () => {
    const h = homography(quad(0, 0, 4, 2), [
      { x: 1, y: 1 },
      { x: 9, y: 2 },
      { x: 8, y: 7 },
      { x: 0, y: 5 },
    ]);
    const at = (x: number, y: number) => {
      const w = h[6]! * x + h[7]! * y + 1;
      return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w].map((v) => Number(v.toFixed(9)));
    };
    expect([at(0, 0), at(4, 0), at(4, 2), at(0, 2)]).toEqual([
      [1, 1],
      [9, 2],
      [8, 7],
      [0, 5],
    ]);
  });

  it('cuts an axis-aligned quad out pixel for pixel', () => {
    const crop = perspectiveCrop(image, quad(1, 1, 2, 1));
    expect([crop.width, crop.height, crop.data[0], crop.data[3]]).toEqual([2, 1, 50, 60]);
  });

  it('turns images by 180 and 90 degrees', () => {
    expect(rotate180(image).data[0]).toBe(110);
    const turned = rotate90CounterClockwise(image);
    expect([turned.width, turned.height, turned.data[0], turned.data[(turned.width - 1) * 3]]).toEqual([3, 4, 30, 110]);
  });

  it('pads with the colour of the border', () => {
    const white: RawImage = { width: 2, height: 2, channels: 3, data: new Uint8Array(12).fill(250) };
    const padded = padWithBackground(white, 2);
    expect([padded.width, padded.height, padded.data[0], padded.data.every((v) => v === 250)]).toEqual([6, 6, 250, true]);
  });
});

describe('readingOrder', () => {
  it('reads rows top to bottom and left to right within a row, skew and all', () => {
    const boxes = [quad(500, 100, 300, 30), quad(20, 102, 300, 28), quad(20, 20, 600, 40), quad(30, 160, 200, 30)];
    expect(readingOrder(boxes)).toEqual([2, 1, 0, 3]);
  });
});
