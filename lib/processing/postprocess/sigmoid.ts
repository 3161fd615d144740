/** Logistic sigmoid, written so that large |x| neither overflows nor loses precision. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Element-wise sigmoid (multi-label heads). */
export function sigmoidAll(values: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: values.length }, (_, i) => sigmoid(values[i]!));
}
