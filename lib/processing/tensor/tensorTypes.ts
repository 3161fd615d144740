/** Numeric tensor element types a JSON number can be converted to, with their range. */
export const NUMERIC_TYPES = Object.freeze({
  float32: { integer: false, min: -3.4028234663852886e38, max: 3.4028234663852886e38 },
  float64: { integer: false, min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
  int8: { integer: true, min: -128, max: 127 },
  uint8: { integer: true, min: 0, max: 255 },
  int16: { integer: true, min: -32768, max: 32767 },
  uint16: { integer: true, min: 0, max: 65535 },
  int32: { integer: true, min: -2147483648, max: 2147483647 },
  uint32: { integer: true, min: 0, max: 4294967295 },
  // JSON numbers are doubles: int64 values are accepted only where they are exact.
  int64: { integer: true, min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  bool: { integer: true, min: 0, max: 1 },
} as const);

export type NumericType = keyof typeof NUMERIC_TYPES;
export const NUMERIC_TYPE_NAMES = Object.keys(NUMERIC_TYPES) as NumericType[];

export type NumericData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array;

/** A typed array of `type` holding `values` (already validated to fit). */
export function typedArrayOf(type: NumericType, values: readonly (number | boolean)[]): NumericData {
  const numbers = values.map(Number);
  switch (type) {
    case 'float32': return Float32Array.from(numbers);
    case 'float64': return Float64Array.from(numbers);
    case 'int8': return Int8Array.from(numbers);
    case 'uint8': return Uint8Array.from(numbers);
    case 'bool': return Uint8Array.from(numbers);
    case 'int16': return Int16Array.from(numbers);
    case 'uint16': return Uint16Array.from(numbers);
    case 'int32': return Int32Array.from(numbers);
    case 'uint32': return Uint32Array.from(numbers);
    case 'int64': return BigInt64Array.from(numbers, (n) => BigInt(n));
  }
}
