import { BadRequestError } from '../errors';
import { NUL_ENDS_STRINGS } from './binaryTensor';
import { allocate, type Datatype, type NumericData } from './datatypes';
import { toHalfBits } from './float16';

const INT_RANGES: Record<string, [number, number]> = {
  INT8: [-128, 127],
  UINT8: [0, 255],
  INT16: [-32768, 32767],
  UINT16: [0, 65535],
  INT32: [-2147483648, 2147483647],
  UINT32: [0, 4294967295],
};

const INT64_RANGES: Record<string, [bigint, bigint]> = {
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
  UINT64: [0n, 2n ** 64n - 1n],
};

// With the u flag a surrogate pair is one code point: only a lone surrogate is \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;

/** JSON elements -> the typed array onnxruntime wants, each element checked once. */
export function fromJsonData(input: string, datatype: Datatype, flat: readonly unknown[]): NumericData | string[] {
  const n = flat.length;
  switch (datatype) {
    case 'BYTES': {
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'string') refuse(input, datatype, flat, i, 'a string');
        // A lone surrogate (`"\ud800"`) has no UTF-8 form: onnxruntime would store U+FFFD.
        if (LONE_SURROGATE.test(v as string)) refuse(input, datatype, flat, i, 'a string of whole Unicode characters (no lone surrogate)');
        if ((v as string).includes('\0')) {
          throw new BadRequestError(`input '${input}': data[${i}] holds a NUL character (\\u0000); ${NUL_ENDS_STRINGS}`);
        }
        out[i] = v as string;
      }
      return out;
    }
    case 'BOOL': {
      const out = allocate('BOOL', n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'boolean') refuse(input, datatype, flat, i, 'true or false');
        out[i] = v ? 1 : 0;
      }
      return out;
    }
    case 'FP16': {
      const out = allocate('FP16', n);
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'number') refuse(input, datatype, flat, i, 'a number');
        const bits = toHalfBits(v as number);
        if ((bits & 0x7fff) === 0x7c00) refuse(input, datatype, flat, i, `a finite number within FP16 range (|x| <= 65504)`);
        out[i] = bits;
      }
      return out;
    }
    case 'FP32':
    case 'FP64': {
      const out = allocate(datatype, n) as Float32Array | Float64Array;
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'number') refuse(input, datatype, flat, i, 'a number');
        out[i] = v as number;
        // JSON.parse reads 1e999 as Infinity, and FP32 overflows past 3.4e38: a number the
        // caller did not write. Refused, as Triton refuses it ("Number too big").
        if (!Number.isFinite(out[i] as number)) refuse(input, datatype, flat, i, `a finite number within ${datatype} range`);
      }
      return out;
    }
    case 'INT64':
    case 'UINT64': {
      const out = allocate(datatype, n) as BigInt64Array | BigUint64Array;
      const [min, max] = INT64_RANGES[datatype] as [bigint, bigint];
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        let big: bigint;
        if (typeof v === 'bigint') big = v;
        else if (typeof v === 'number' && Number.isSafeInteger(v)) big = BigInt(v);
        else return refuse(input, datatype, flat, i, 'an integer');
        if (big < min || big > max) refuse(input, datatype, flat, i, `an integer in [${min}, ${max}]`);
        out[i] = big;
      }
      return out;
    }
    default: {
      const out = allocate(datatype, n);
      const [min, max] = INT_RANGES[datatype] as [number, number];
      for (let i = 0; i < n; i++) {
        const v = flat[i];
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
          refuse(input, datatype, flat, i, `an integer in [${min}, ${max}]`);
        out[i] = v as number;
      }
      return out;
    }
  }
}

/**
 * The 400 for element `i`. A module function, not a closure in fromJsonData: bundles keep function
 * names (esbuild's keepNames), which costs a property definition for every closure made, on every call.
 */
function refuse(input: string, datatype: Datatype, flat: readonly unknown[], i: number, expected: string): never {
  throw new BadRequestError(`input '${input}': data[${i}] is ${describe(flat[i])}, expected ${expected} for datatype ${datatype}`);
}

/** True when a 64-bit tensor holds a number JSON.parse may have rounded: the body needs an exact parse. */
export function needsExactParse(datatype: string, data: unknown): boolean {
  if (datatype !== 'INT64' && datatype !== 'UINT64') return false;
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) return true;
  }
  return false;
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `a string`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number' && !Number.isFinite(v)) return 'a number out of range (it reads as infinite)';
  return `${typeof v} ${String(v).slice(0, 32)}`;
}
