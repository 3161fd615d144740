import { NamedError } from '../errors';
import type { BatchTensor, TensorElements, TensorMap } from './BatchTensor';

/** Thrown when outputs cannot be split back per request: the model is not batched along dim 0. */
export class UnsplittableOutputError extends NamedError {
  constructor(
    readonly output: string,
    readonly dims: readonly number[],
    readonly rows: number,
  ) {
    super(`output '${output}' has shape [${dims.join(', ')}], not ${rows} rows along its first dimension`);
  }
}

/**
 * Stacks each input of several requests along the first dimension. The caller has checked
 * that the requests share a batch key (same names, types and trailing dims).
 */
export function concatFeeds(requests: readonly TensorMap[]): TensorMap {
  const first = requests[0];
  if (first === undefined) throw new RangeError('concatFeeds needs at least one request');
  if (requests.length === 1) return first;
  const out: TensorMap = {};
  for (const name of Object.keys(first)) {
    const parts = requests.map((r) => r[name] as BatchTensor);
    const rows = parts.reduce((sum, t) => sum + (t.dims[0] as number), 0);
    const head = parts[0] as BatchTensor;
    out[name] = { type: head.type, dims: [rows, ...head.dims.slice(1)], data: concatData(parts.map((t) => t.data)) };
  }
  return out;
}

/** Cuts every output into consecutive row ranges, one per request, copying (callers keep theirs). */
export function splitOutputs(outputs: TensorMap, rowsPerRequest: readonly number[]): TensorMap[] {
  const total = rowsPerRequest.reduce((a, b) => a + b, 0);
  const results: TensorMap[] = rowsPerRequest.map(() => ({}));
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.dims[0] !== total) throw new UnsplittableOutputError(name, tensor.dims, total);
    const rowSize = tensor.dims.slice(1).reduce((a, b) => a * b, 1);
    let row = 0;
    rowsPerRequest.forEach((rows, i) => {
      const data = sliceData(tensor.data, row * rowSize, (row + rows) * rowSize);
      (results[i] as TensorMap)[name] = { type: tensor.type, dims: [rows, ...tensor.dims.slice(1)], data };
      row += rows;
    });
  }
  return results;
}

function concatData(parts: readonly TensorElements[]): TensorElements {
  const head = parts[0] as TensorElements;
  if (Array.isArray(head)) return (parts as ReadonlyArray<readonly string[]>).flat();
  const length = parts.reduce((sum, p) => sum + p.length, 0);
  const Ctor = head.constructor as new (n: number) => Exclude<TensorElements, readonly string[]>;
  const out = new Ctor(length);
  let offset = 0;
  for (const part of parts as ReadonlyArray<Exclude<TensorElements, readonly string[]>>) {
    (out as { set(a: ArrayLike<unknown>, o: number): void }).set(part as ArrayLike<unknown>, offset);
    offset += part.length;
  }
  return out;
}

function sliceData(data: TensorElements, start: number, end: number): TensorElements {
  return data.slice(start, end) as TensorElements;
}
