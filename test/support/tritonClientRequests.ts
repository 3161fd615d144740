import { deflateSync, gzipSync } from 'node:zlib';
/**
 * Requests as tritonclient.http puts them on the wire (triton-inference-server/client,
 * src/python/library/tritonclient/http/: _utils.py `_get_inference_request`, _infer_input.py,
 * _requested_output.py), byte for byte: the JSON written by `rapidjson.dumps` (compact, keys in
 * insertion order, floats as Python writes them), no Content-Type, and
 * `Inference-Header-Content-Length` only when a tensor travels in binary.
 */
export interface TritonRequest {
  body: Buffer;
  headers: Record<string, string>;
}

/**
 * `InferInput(input, shape, 'FP32').set_data_from_numpy(values, binary_data=binary)` and
 * `InferRequestedOutput(output, binary_data=binary, class_count=classCount)`: Triton's
 * classification extension as its client asks for it, `"parameters": {"classification": k}`.
 */
export function tritonClassificationRequest(spec: {
  input: string;
  output: string;
  shape: readonly number[];
  values: readonly number[];
  classCount: number;
  binary: boolean;
}): TritonRequest {
  const { input, output, shape, values, classCount, binary } = spec;
  const tensor = `{"name":${JSON.stringify(input)},"shape":[${shape.join(',')}],"datatype":"FP32"`;
  const raw = Buffer.from(Float32Array.from(values).buffer);
  const inputs = binary
    ? `${tensor},"parameters":{"binary_data_size":${raw.length}}}`
    : `${tensor},"data":[${values.map(pythonFloat).join(',')}]}`;
  // InferRequestedOutput sets `classification` first, then `binary_data`.
  const outputs = `{"name":${JSON.stringify(output)},"parameters":{"classification":${classCount},"binary_data":${binary}}}`;
  const header = Buffer.from(`{"inputs":[${inputs}],"outputs":[${outputs}]}`, 'utf8');
  if (!binary) return { body: header, headers: {} };
  return { body: Buffer.concat([header, raw]), headers: { 'Inference-Header-Content-Length': String(header.length) } };
}

/** A float as Python's repr writes it (and rapidjson after it): `1.0`, not `1`. */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** The elements of a binary BYTES tensor (each a 4-byte little-endian length, then the bytes). */
export function bytesElements(data: Buffer): string[] {
  const out: string[] = [];
  for (let offset = 0; offset < data.length;) {
    const length = data.readUInt32LE(offset);
    out.push(data.subarray(offset + 4, offset + 4 + length).toString('utf8'));
    offset += 4 + length;
  }
  return out;
}

/**
 * `client.infer(..., request_compression_algorithm=algorithm)` (http/_client.py): the whole body
 * compressed with Python's `gzip.compress` or `zlib.compress` (zlib format, HTTP's "deflate"),
 * `Content-Encoding` set, `Inference-Header-Content-Length` left at the uncompressed JSON's size.
 */
export function compressedAsTritonClient(req: TritonRequest, algorithm: 'gzip' | 'deflate'): TritonRequest {
  const body = algorithm === 'gzip' ? gzipSync(req.body) : deflateSync(req.body);
  return { body, headers: { ...req.headers, 'Content-Encoding': algorithm } };
}
