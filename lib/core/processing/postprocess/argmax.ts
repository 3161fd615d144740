/** Index of the largest value (the first one on ties); -1 for an empty input. */
export function argmax(values: ArrayLike<number>, start = 0, end = values.length): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = start; i < end; i++) {
    const v = values[i]!;
    if (best === -1 || v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best === -1 ? -1 : best - start;
}
