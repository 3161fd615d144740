import type { Tensor } from 'onnxruntime-node';

/**
 * OIP v2 datatypes and their onnxruntime counterparts. One frozen table: bytes per element
 * (0 for variable-length BYTES) and the typed array onnxruntime expects.
 */
export const DATATYPES = Object.freeze({
  BOOL: { ort: 'bool', bytes: 1 },
  UINT8: { ort: 'uint8', bytes: 1 },
  UINT16: { ort: 'uint16', bytes: 2 },
  UINT32: { ort: 'uint32', bytes: 4 },
  UINT64: { ort: 'uint64', bytes: 8 },
  INT8: { ort: 'int8', bytes: 1 },
  INT16: { ort: 'int16', bytes: 2 },
  INT32: { ort: 'int32', bytes: 4 },
  INT64: { ort: 'int64', bytes: 8 },
  FP16: { ort: 'float16', bytes: 2 },
  FP32: { ort: 'float32', bytes: 4 },
  FP64: { ort: 'float64', bytes: 8 },
  BYTES: { ort: 'string', bytes: 0 },
} as const);

export type Datatype = keyof typeof DATATYPES;
export type OrtType = (typeof DATATYPES)[Datatype]['ort'];
export const DATATYPE_NAMES = Object.keys(DATATYPES) as Datatype[];

const BY_ORT = new Map<string, Datatype>(DATATYPE_NAMES.map((d) => [DATATYPES[d].ort, d]));

export function isDatatype(value: unknown): value is Datatype {
  return typeof value === 'string' && Object.hasOwn(DATATYPES, value);
}

/** onnxruntime type name -> OIP datatype; undefined for types OIP cannot carry. */
export function datatypeOf(ortType: string): Datatype | undefined {
  return BY_ORT.get(ortType);
}

export type NumericData =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigUint64Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** Allocate the typed array for `count` elements of a fixed-size datatype. */
export function allocate(datatype: Exclude<Datatype, 'BYTES'>, count: number): NumericData {
  switch (datatype) {
    case 'BOOL':
    case 'UINT8':
      return new Uint8Array(count);
    case 'INT8':
      return new Int8Array(count);
    case 'UINT16':
    case 'FP16':
      return new Uint16Array(count);
    case 'INT16':
      return new Int16Array(count);
    case 'UINT32':
      return new Uint32Array(count);
    case 'INT32':
      return new Int32Array(count);
    case 'UINT64':
      return new BigUint64Array(count);
    case 'INT64':
      return new BigInt64Array(count);
    case 'FP32':
      return new Float32Array(count);
    case 'FP64':
      return new Float64Array(count);
  }
}

/** View little-endian bytes as a typed array, copying only when the offset is misaligned. */
export function viewBytes(datatype: Exclude<Datatype, 'BYTES'>, bytes: Uint8Array): NumericData {
  const size = DATATYPES[datatype].bytes;
  const aligned = bytes.byteOffset % size === 0 ? bytes : new Uint8Array(bytes);
  const { buffer, byteOffset, byteLength } = aligned;
  const count = byteLength / size;
  switch (datatype) {
    case 'BOOL':
    case 'UINT8':
      return new Uint8Array(buffer, byteOffset, count);
    case 'INT8':
      return new Int8Array(buffer, byteOffset, count);
    case 'UINT16':
    case 'FP16':
      return new Uint16Array(buffer, byteOffset, count);
    case 'INT16':
      return new Int16Array(buffer, byteOffset, count);
    case 'UINT32':
      return new Uint32Array(buffer, byteOffset, count);
    case 'INT32':
      return new Int32Array(buffer, byteOffset, count);
    case 'UINT64':
      return new BigUint64Array(buffer, byteOffset, count);
    case 'INT64':
      return new BigInt64Array(buffer, byteOffset, count);
    case 'FP32':
      return new Float32Array(buffer, byteOffset, count);
    case 'FP64':
      return new Float64Array(buffer, byteOffset, count);
  }
}

export type TensorData = Tensor['data'];
