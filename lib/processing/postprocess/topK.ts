export interface Scored {
  label: string;
  index: number;
  score: number;
}

/**
 * The `k` highest scores with their labels, best first (ties keep the lower index first).
 * Without labels, a label is the index as a string.
 */
export function topK(scores: ArrayLike<number>, k: number, labels?: readonly string[]): Scored[] {
  if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (labels !== undefined && labels.length !== scores.length) {
    throw new RangeError(`${labels.length} labels for ${scores.length} scores`);
  }
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order.slice(0, k).map((index) => ({ label: labels?.[index] ?? String(index), index, score: scores[index]! }));
}
