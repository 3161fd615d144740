/**
 * Floating-point outputs as JSON text that every client can read:
 * - NaN, Infinity and -Infinity as `null`, as JSON.stringify writes them (and the domain routes,
 *   which use it). JSON has no way to write them: the bare literals Triton writes (rapidjson's
 *   kWriteNanAndInfFlag) are read by Python's json and python-rapidjson, but JSON.parse, browsers'
 *   `response.json()`, Go, Java and jq refuse the whole answer. tritonclient's `as_numpy` reads a
 *   `null` in a float tensor as NaN; exact values (the infinities' signs) travel in binary output,
 *   which tritonclient asks for by default.
 * - negative zero as `-0.0`: JSON.stringify writes `0`, and Python reads `-0` as the integer 0.
 * Everything else as JSON.stringify writes it (the shortest text that reads back to the same double).
 */
export function floatArrayJson(values: ArrayLike<number>): string {
  // The common case costs one scan: V8's JSON.stringify fast path for number arrays is about
  // faster than joining element by element (docs/benchmarks.md, "Figures behind the code").
  if (!hasSpecial(values)) return JSON.stringify(plainArray(values));
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) parts[i] = floatJson(values[i] as number);
  return `[${parts.join(',')}]`;
}

export function floatJson(v: number): string {
  if (!Number.isFinite(v)) return 'null';
  if (v === 0 && 1 / v < 0) return '-0.0';
  return JSON.stringify(v);
}

function hasSpecial(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v) || (v === 0 && 1 / v < 0)) return true;
  }
  return false;
}

/**
 * A typed array's elements as a plain array, for JSON.stringify: copied in a loop, which after a
 * warm run measured 0.5 us for 256 floats against 6 us for `Array.from` (the iterator protocol).
 */
export function plainArray(values: ArrayLike<number>): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] as number;
  return out;
}
