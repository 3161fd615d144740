/** Numerically stable softmax over `values` (max subtracted first, so 1000-logit inputs do not overflow). */
export function softmax(values: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  const out = new Float64Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    out[i] = Math.exp(values[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Softmax of each row of a row-major [rows, cols] matrix. */
export function softmaxRows(values: ArrayLike<number>, cols: number): Float64Array[] {
  return splitRows(values, cols).map(softmax);
}

/** Row views of a row-major [rows, cols] matrix. */
export function splitRows(values: ArrayLike<number>, cols: number): Float64Array[] {
  if (!(Number.isInteger(cols) && cols > 0) || values.length % cols !== 0) {
    throw new RangeError(`cannot split ${values.length} values into rows of ${cols}`);
  }
  const rows: Float64Array[] = [];
  for (let start = 0; start < values.length; start += cols) {
    rows.push(Float64Array.from({ length: cols }, (_, j) => values[start + j]!));
  }
  return rows;
}
