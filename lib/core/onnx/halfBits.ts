import type { Tensor } from 'onnxruntime-node';

/**
 * FP16 tensors as raw Uint16Array bits, on every Node.
 *
 * Where the global Float16Array exists (Node 24; not Node 22), onnxruntime-common's Tensor
 * constructor turns the Uint16Array of a 'float16' tensor into a Float16Array view. The native
 * binding of onnxruntime-node 1.30 knows no Float16Array (N-API has no such typed-array type): an
 * input fails with "not enough space: expected N, got 0", and an output's elements read as
 * numbers where onnxless expects bits. Shadowing `data` with a Uint16Array view of the same
 * buffer keeps both sides on bits, as on Node 22. Written by hand: no library covers it.
 */
export function keepHalfBits<T extends Tensor>(tensor: T): T {
  if (tensor.type !== 'float16' || tensor.data instanceof Uint16Array) return tensor;
  const data = tensor.data as unknown as ArrayBufferView & { length: number };
  Object.defineProperty(tensor, 'data', { value: new Uint16Array(data.buffer, data.byteOffset, data.length), enumerable: true });
  return tensor;
}

/** keepHalfBits over a feeds or results record, in place. */
export function keepHalfBitsAll<R extends Record<string, unknown>>(tensors: R): R {
  for (const value of Object.values(tensors)) keepHalfBits(value as Tensor);
  return tensors;
}
