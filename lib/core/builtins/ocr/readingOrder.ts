import type { Quad } from '../../processing/image/quad';

/**
 * Indices of the boxes in reading order: top to bottom by rows, left to right within a row. A box
 * joins the row being built when its vertical centre lies inside the row's first box (boxes on
 * one printed line overlap vertically; the next line's centre is below the first one's bottom).
 */
export function readingOrder(quads: readonly Quad[]): number[] {
  const spans = quads.map((quad, i) => {
    const ys = quad.map((p) => p.y);
    const xs = quad.map((p) => p.x);
    const top = Math.min(...ys);
    const bottom = Math.max(...ys);
    return { i, top, bottom, centre: (top + bottom) / 2, left: Math.min(...xs) };
  });
  spans.sort((a, b) => a.centre - b.centre);
  const order: number[] = [];
  let row: typeof spans = [];
  const flush = () => {
    row.sort((a, b) => a.left - b.left);
    order.push(...row.map((s) => s.i));
    row = [];
  };
  for (const span of spans) {
    if (row.length > 0 && span.centre > row[0]!.bottom) flush();
    row.push(span);
  }
  flush();
  return order;
}
