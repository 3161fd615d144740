import type { Tensor } from 'onnxruntime-node';
import { datatypeOf, type Datatype } from './datatypes';
import { encodeBytesElements } from './binaryTensor';
import { fromHalfBits } from './float16';
import { floatArrayJson, plainArray } from './jsonNumbers';

export interface EncodedResponse {
  /** JSON text: the whole response, or the header of a binary one. */
  json: string;
  /** Raw tensor bytes after the JSON header, when any output is binary. */
  binary?: Buffer[];
}

export interface ResponseEnvelope {
  model_name: string;
  model_version?: string;
  id?: string;
}

/**
 * onnxruntime outputs -> OIP response. The JSON is written by hand around the data arrays:
 * JSON.stringify cannot write BigInt, and 64-bit integers must stay exact past 2^53.
 */
export function encodeOutputs(
  envelope: ResponseEnvelope,
  outputs: ReadonlyArray<{ name: string; tensor: Tensor; binary: boolean }>,
): EncodedResponse {
  const binary: Buffer[] = [];
  const parts = outputs.map(({ name, tensor, binary: asBinary }) => {
    const datatype = datatypeOf(tensor.type) as Datatype;
    const head = `{"name":${JSON.stringify(name)},"datatype":"${datatype}","shape":[${tensor.dims.join(',')}]`;
    if (asBinary) {
      const bytes = tensorBytes(tensor);
      binary.push(bytes);
      return `${head},"parameters":{"binary_data_size":${bytes.length}}}`;
    }
    return `${head},"data":${jsonData(tensor)}}`;
  });
  const fields = [`"model_name":${JSON.stringify(envelope.model_name)}`];
  if (envelope.model_version !== undefined) fields.push(`"model_version":${JSON.stringify(envelope.model_version)}`);
  if (envelope.id !== undefined) fields.push(`"id":${JSON.stringify(envelope.id)}`);
  fields.push(`"outputs":[${parts.join(',')}]`);
  return { json: `{${fields.join(',')}}`, binary: binary.length > 0 ? binary : undefined };
}

/** The data array as JSON text. */
function jsonData(tensor: Tensor): string {
  const data = tensor.data;
  switch (tensor.type) {
    case 'string':
      return JSON.stringify(data as string[]);
    case 'bool':
      return JSON.stringify(Array.from(data as Uint8Array, Boolean));
    case 'float16':
      return floatArrayJson(Array.from(data as Uint16Array, fromHalfBits));
    case 'float32':
    case 'float64':
      return floatArrayJson(data as Float32Array | Float64Array);
    case 'int64':
    case 'uint64':
      // BigInt prints exactly; JSON.stringify refuses it.
      return `[${Array.prototype.join.call(data, ',')}]`;
    default:
      // Integers: V8's JSON.stringify fast path for arrays of numbers.
      return JSON.stringify(plainArray(data as ArrayLike<number>));
  }
}

function tensorBytes(tensor: Tensor): Buffer {
  if (tensor.type === 'string') return encodeBytesElements(tensor.data as string[]);
  const data = tensor.data as ArrayBufferView;
  // bool tensors come back as Uint8Array of 0/1: already Triton's one byte per element.
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
