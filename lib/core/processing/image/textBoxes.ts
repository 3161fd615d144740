import { growRect, minAreaRect } from './minAreaRect';
import { orderQuad, type Point, type Quad } from './quad';

/** A text probability map: one value in [0, 1] per pixel, row-major. */
export interface ProbabilityMap {
  data: Float32Array;
  width: number;
  height: number;
}

export interface TextBoxOptions {
  /** Pixels above this probability are text (PaddleOCR det_db_thresh, default 0.3). */
  threshold?: number;
  /** Regions whose mean probability is below this are dropped (det_db_box_thresh, default 0.6). */
  boxThreshold?: number;
  /** How far the shrunk kernel is grown back: area * ratio / perimeter (det_db_unclip_ratio, default 1.5). */
  unclipRatio?: number;
  /** Boxes with a side under this many map pixels are dropped (default 3, as PaddleOCR). */
  minSize?: number;
}

export interface TextBox {
  /** Corners in map pixels, clockwise from the top-left. */
  quad: Quad;
  /** Mean probability over the region's pixels. */
  score: number;
}

/**
 * DB (Differentiable Binarization, Liao et al. 2020) post-processing, as PaddleOCR's
 * DBPostProcess does it: threshold the map, take each 8-connected region, fit its minimum-area
 * rectangle, drop weak and tiny ones, and grow the rectangle back by the unclip distance (the
 * model predicts a shrunk text kernel). Written here rather than taken from OpenCV: opencv.js is
 * an 8-10 MB WASM build for four small steps. The region's score is the mean probability of its
 * own pixels (PaddleOCR's score_mode 'slow' averages inside the contour; the same up to holes).
 */
export function textBoxes(map: ProbabilityMap, options: TextBoxOptions = {}): TextBox[] {
  const threshold = options.threshold ?? 0.3;
  const boxThreshold = options.boxThreshold ?? 0.6;
  const unclipRatio = options.unclipRatio ?? 1.5;
  const minSize = options.minSize ?? 3;
  const { data, width, height } = map;
  if (data.length !== width * height)
    throw new RangeError(`probability map of ${width}x${height} needs ${width * height} values, has ${data.length}`);

  const visited = new Uint8Array(width * height);
  const rowMin = new Int32Array(height).fill(-1);
  const rowMax = new Int32Array(height).fill(-1);
  const stack = new Int32Array(width * height);
  const boxes: TextBox[] = [];

  for (let start = 0; start < data.length; start++) {
    if (visited[start] || data[start]! <= threshold) continue;
    // Flood fill one region, keeping each row's leftmost and rightmost pixel: enough for the hull.
    const rows: number[] = [];
    let count = 0;
    let sum = 0;
    let top = 0;
    stack[top++] = start;
    visited[start] = 1;
    while (top > 0) {
      const index = stack[--top]!;
      const x = index % width;
      const y = (index - x) / width;
      count++;
      sum += data[index]!;
      if (rowMin[y] === -1) {
        rows.push(y);
        rowMin[y] = x;
        rowMax[y] = x;
      } else {
        if (x < rowMin[y]!) rowMin[y] = x;
        if (x > rowMax[y]!) rowMax[y] = x;
      }
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const neighbour = ny * width + nx;
          if (visited[neighbour] || data[neighbour]! <= threshold) continue;
          visited[neighbour] = 1;
          stack[top++] = neighbour;
        }
      }
    }
    const edges: Point[] = [];
    for (const y of rows) {
      edges.push({ x: rowMin[y]!, y }, { x: rowMax[y]!, y });
      rowMin[y] = -1;
      rowMax[y] = -1;
    }
    const score = sum / count;
    if (score < boxThreshold) continue;
    const rect = minAreaRect(edges);
    // A region one pixel wide or high (a point, a line: a hull of one or two points) has no area
    // and no unclip distance (0 / 0): dropped whatever minSize says.
    if (!hasArea(rect) || Math.min(rect.width, rect.height) < minSize) continue;
    const grown = growRect(rect, (rect.width * rect.height * unclipRatio) / (2 * (rect.width + rect.height)));
    if (!hasArea(grown) || Math.min(grown.width, grown.height) < minSize + 2) continue;
    boxes.push({ quad: orderQuad(grown.corners), score });
  }
  return boxes;
}

/** Both sides positive and finite (NaN fails too). */
function hasArea(rect: { width: number; height: number }): boolean {
  return rect.width > 0 && rect.height > 0 && Number.isFinite(rect.width * rect.height);
}
