/**
 * Mean of the token vectors whose attention mask is 1, per sequence: `hidden` is row-major
 * [batch, tokens, dims], `mask` [batch, tokens] (numbers or bigints, as tokenizers emit int64).
 * Sentence-transformers' "mean pooling"; padding tokens do not dilute the average.
 */
export function meanPooling(
  hidden: ArrayLike<number>,
  mask: ArrayLike<number | bigint>,
  dims: readonly [batch: number, tokens: number, size: number],
): Float32Array[] {
  const [batch, tokens, size] = dims;
  if (hidden.length !== batch * tokens * size)
    throw new RangeError(`hidden has ${hidden.length} values, expected ${batch}x${tokens}x${size}`);
  if (mask.length !== batch * tokens) throw new RangeError(`mask has ${mask.length} values, expected ${batch}x${tokens}`);
  return Array.from({ length: batch }, (_, b) => {
    const sum = new Float64Array(size);
    let count = 0;
    for (let t = 0; t < tokens; t++) {
      if (Number(mask[b * tokens + t]) === 0) continue;
      count++;
      const offset = (b * tokens + t) * size;
      for (let d = 0; d < size; d++) sum[d]! += hidden[offset + d]!;
    }
    // Clamp like sentence-transformers (1e-9) so an all-padding row gives zeros, not NaN.
    return Float32Array.from(sum, (v) => v / Math.max(count, 1e-9));
  });
}
