/**
 * The batcher's view of a tensor: element type, dims and flat data. onnxruntime's `Tensor`
 * fits this shape, and so does a tensor that crossed a worker-thread boundary, so the batcher
 * needs no session and no native module.
 */
export type TensorElements =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | readonly string[];

export interface BatchTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: TensorElements;
}

export type TensorMap = Record<string, BatchTensor>;

/** Rows along the first dimension shared by every input, or undefined when there is none. */
export function batchRows(feeds: TensorMap): number | undefined {
  let rows: number | undefined;
  for (const tensor of Object.values(feeds)) {
    const first = tensor.dims[0];
    if (first === undefined || first < 1) return undefined;
    if (rows !== undefined && rows !== first) return undefined;
    rows = first;
  }
  return rows;
}

/**
 * Requests with equal keys can share a run: same input names, element types and dims past the
 * first. The first dimension is the batch; everything else must match exactly.
 */
export function batchKey(feeds: TensorMap): string {
  return Object.keys(feeds)
    .sort()
    .map((name) => {
      const t = feeds[name] as BatchTensor;
      return `${JSON.stringify(name)}:${t.type}:${t.dims.slice(1).join('x')}`;
    })
    .join('|');
}
