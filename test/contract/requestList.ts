import type { WireRequest, WireResponse } from './rawHttp';
import { bytesElements, tritonClassificationRequest } from '../support/tritonClientRequests';

/**
 * One request list, each entry the bytes a real client sends, run against every way of serving:
 * the local stack, `onnxless serve`, and the Lambda handlers behind a simulated HTTP API. Every
 * target must give the expected status, and all targets the same body shape.
 */
export interface ContractCase {
  name: string;
  request: WireRequest;
  status: number;
  /** Extra checks of the answer's content, on every target. */
  check?: (res: WireResponse) => void;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const JSON_CT = { 'Content-Type': 'application/json' };

/** Triton's binary framing: the JSON header, then the raw little-endian tensor bytes. */
export function tritonBinary(header: unknown, ...tensors: Buffer[]): { body: Buffer; headerLength: number } {
  const head = json(header);
  return { body: Buffer.concat([head, ...tensors]), headerLength: head.length };
}

const f32 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer);

/** The identity model: `x` FP32 [batch, n] -> `y`, unchanged. */
const IDENTITY_VALUES = [1.5, -0, Number.NaN, Infinity, -Infinity, 0.25];
const identityBinary = tritonBinary(
  { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], parameters: { binary_data_size: 24 } }], outputs: [{ name: 'y' }] },
  f32(IDENTITY_VALUES),
);

/** tritonclient's `InferRequestedOutput('y', binary_data=binary, class_count=2)` on the identity model. */
function tritonClassification(binary: boolean): { headers: Record<string, string>; body: Buffer } {
  return tritonClassificationRequest({ input: 'x', output: 'y', shape: [1, 4], values: [0.5, 0.125, 1, 0.25], classCount: 2, binary });
}

function jsonOf(res: WireResponse): any {
  return JSON.parse(res.body.toString('utf8'));
}

function errorNames(what: RegExp): (res: WireResponse) => void {
  return (res) => {
    const body = jsonOf(res);
    if (Object.keys(body).join() !== 'error' || !what.test(body.error))
      throw new Error(`expected {"error"} matching ${what}, got ${res.body.toString('utf8')}`);
  };
}

function equal(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** `tinyOutput`: the output name of the example classifier (PaddleOCR's softmax), read from the model. */
export function contractCases(tinyOutput: string): ContractCase[] {
  const tinyInput = {
    name: 'x',
    datatype: 'FP32',
    shape: [1, 3, 48, 48],
    data: Array.from({ length: 3 * 48 * 48 }, (_, i) => (i % 7) / 7),
  };
  return [
    {
      name: 'server metadata',
      request: { method: 'GET', path: '/v2', headers: {} },
      status: 200,
      check: (r) => equal(jsonOf(r).extensions, ['binary_tensor_data', 'classification'], 'extensions'),
    },
    { name: 'liveness', request: { method: 'GET', path: '/v2/health/live', headers: {} }, status: 200 },
    { name: 'readiness', request: { method: 'GET', path: '/v2/health/ready', headers: {} }, status: 200 },
    {
      name: 'model metadata',
      request: { method: 'GET', path: '/v2/models/tiny', headers: {} },
      status: 200,
      check: (r) => equal(jsonOf(r).versions, ['1'], 'versions'),
    },
    { name: 'metadata of the listed version', request: { method: 'GET', path: '/v2/models/tiny/versions/1', headers: {} }, status: 200 },
    {
      name: 'metadata of an unknown version',
      request: { method: 'GET', path: '/v2/models/tiny/versions/99', headers: {} },
      status: 404,
      check: errorNames(/no version '99'/),
    },
    {
      name: 'readiness of the listed version',
      request: { method: 'GET', path: '/v2/models/tiny/versions/1/ready', headers: {} },
      status: 200,
    },
    {
      name: 'readiness of an unknown version',
      request: { method: 'GET', path: '/v2/models/tiny/versions/2/ready', headers: {} },
      status: 404,
      check: errorNames(/no version '2'/),
    },
    {
      name: 'infer on the listed version',
      request: { method: 'POST', path: '/v2/models/tiny/versions/1/infer', headers: JSON_CT, body: json({ inputs: [tinyInput] }) },
      status: 200,
    },
    {
      name: 'infer on an unknown version',
      request: { method: 'POST', path: '/v2/models/tiny/versions/7/infer', headers: JSON_CT, body: json({ inputs: [tinyInput] }) },
      status: 404,
      check: errorNames(/no version '7'/),
    },
    {
      name: 'class_count (Triton classification extension)',
      request: {
        method: 'POST',
        path: '/v2/models/tiny/infer',
        headers: JSON_CT,
        body: json({ inputs: [tinyInput], outputs: [{ name: tinyOutput, parameters: { class_count: 1 } }] }),
      },
      status: 200,
      check: (r) => {
        const [out] = jsonOf(r).outputs;
        equal([out.datatype, out.shape], ['BYTES', [1, 1]], 'classification output');
        if (!/^\d\.\d{6}:[01]$/.test(out.data[0])) throw new Error(`expected "score:index", got ${out.data[0]}`);
      },
    },
    {
      name: "Triton's classification parameter as tritonclient.http sends it, JSON",
      request: { method: 'POST', path: '/v2/models/identity/infer', ...tritonClassification(false) },
      status: 200,
      check: (r) =>
        equal(jsonOf(r).outputs, [{ name: 'y', datatype: 'BYTES', shape: [1, 2], data: ['1.000000:2', '0.500000:0'] }], 'classes'),
    },
    {
      name: "Triton's classification parameter as tritonclient.http sends it, binary (its default)",
      request: { method: 'POST', path: '/v2/models/identity/infer', ...tritonClassification(true) },
      status: 200,
      check: (r) => {
        const length = Number(r.headers['inference-header-content-length']);
        const [out] = JSON.parse(r.body.subarray(0, length).toString('utf8')).outputs;
        equal([out.datatype, out.shape], ['BYTES', [1, 2]], 'classification output');
        equal(bytesElements(r.body.subarray(length)), ['1.000000:2', '0.500000:0'], 'classes');
      },
    },
    {
      name: 'class_count that is not a positive whole number',
      request: {
        method: 'POST',
        path: '/v2/models/tiny/infer',
        headers: JSON_CT,
        body: json({ inputs: [tinyInput], outputs: [{ name: tinyOutput, parameters: { class_count: 0 } }] }),
      },
      status: 400,
      check: errorNames(/class_count/),
    },
    {
      name: 'binary tensors with no Content-Type (tritonclient.http)',
      request: {
        method: 'POST',
        path: '/v2/models/identity/infer',
        headers: { 'Inference-Header-Content-Length': String(identityBinary.headerLength), 'Accept-Encoding': 'identity' },
        body: identityBinary.body,
      },
      status: 200,
      // NaN and the infinities as null (JSON has no other way: the answer stays strict JSON); -0.0 keeps its sign.
      check: (r) => {
        const text = r.body.toString('utf8');
        if (!text.includes('"data":[1.5,-0.0,null,null,null,0.25]')) throw new Error(`identity output changed: ${text}`);
      },
    },
    {
      name: 'JSON sent as application/octet-stream (tritonclient.http.aio)',
      request: {
        method: 'POST',
        path: '/v2/models/identity/infer',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: json({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [3, 4] }] }),
      },
      status: 200,
      check: (r) => equal(jsonOf(r).outputs[0].data, [3, 4], 'data'),
    },
    {
      name: '-0.0 in a JSON input',
      request: {
        method: 'POST',
        path: '/v2/models/identity/infer',
        headers: JSON_CT,
        body: Buffer.from('{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[-0.0,2]}]}'),
      },
      status: 200,
      check: (r) => {
        if (!r.body.toString('utf8').includes('"data":[-0.0,2]')) throw new Error(`-0.0 lost: ${r.body.toString('utf8')}`);
      },
    },
    {
      name: 'a number beyond FP32 in a JSON input',
      request: {
        method: 'POST',
        path: '/v2/models/identity/infer',
        headers: JSON_CT,
        body: Buffer.from('{"inputs":[{"name":"x","datatype":"FP32","shape":[1,2],"data":[1e999,2]}]}'),
      },
      status: 400,
      check: errorNames(/input 'x': data\[0\] is a number out of range .*finite number within FP32 range/),
    },
    ...['0x18', '1e2', '+24'].map((headerLength) => ({
      name: `binary header length '${headerLength}'`,
      request: {
        method: 'POST',
        path: '/v2/models/identity/infer',
        headers: { 'Inference-Header-Content-Length': headerLength },
        body: identityBinary.body,
      },
      status: 400,
      check: errorNames(/Inference-Header-Content-Length .*decimal digits/),
    })),
    {
      name: 'a request id over the limit',
      request: {
        method: 'POST',
        path: '/v2/models/identity/infer',
        headers: JSON_CT,
        body: json({ id: 'i'.repeat(5000), inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [1] }] }),
      },
      status: 400,
      check: (r) => {
        errorNames(/request id .* over the limit of 256 characters/)(r);
        if (r.body.length > 400) throw new Error('the id is echoed whole');
      },
    },
    {
      // Sent whole without waiting for 100-continue, as Python's http.client and requests do.
      name: 'a body over the 6 MiB limit',
      request: { method: 'POST', path: '/v2/models/identity/infer', headers: JSON_CT, body: Buffer.alloc(7 * 1024 * 1024, 0x20) },
      status: 413,
      check: errorNames(/over the limit of 6291456 bytes/),
    },
    {
      name: 'domain route of a model without one',
      request: { method: 'POST', path: '/models/tiny/predict', headers: { 'Content-Type': 'image/png' }, body: Buffer.from([0x89, 0x50]) },
      status: 404,
      check: errorNames(/no domain route/),
    },
    {
      name: 'domain route with a media type it does not take',
      request: {
        method: 'POST',
        path: '/models/text-orientation/predict',
        headers: { 'Content-Type': 'text/plain' },
        body: Buffer.from('x'),
      },
      status: 415,
    },
    {
      name: 'a model name that is not valid percent-encoding',
      request: { method: 'GET', path: '/v2/models/%E0%A4%A', headers: {} },
      status: 404,
      check: errorNames(/unknown model/),
    },
    { name: 'a malformed cookie', request: { method: 'GET', path: '/v2/models/tiny', headers: { Cookie: 'a=b; ==;;; c' } }, status: 200 },
    {
      name: 'an unknown model',
      request: { method: 'GET', path: '/v2/models/nope', headers: {} },
      status: 404,
      check: errorNames(/unknown model 'nope'/),
    },
    {
      name: 'infer on an unknown model',
      request: { method: 'POST', path: '/v2/models/nope/infer', headers: JSON_CT, body: json({ inputs: [] }) },
      status: 404,
      check: errorNames(/unknown model 'nope'/),
    },
    {
      name: 'an unknown path',
      request: { method: 'GET', path: '/nowhere', headers: {} },
      status: 404,
      check: errorNames(/no route for GET \/nowhere/),
    },
    {
      name: 'an unknown path with a body of an odd type',
      request: { method: 'POST', path: '/nowhere', headers: { 'Content-Type': 'application/x-odd' }, body: Buffer.from('??') },
      status: 404,
      check: errorNames(/no route/),
    },
    {
      name: 'GET on infer',
      request: { method: 'GET', path: '/v2/models/tiny/infer', headers: {} },
      status: 405,
      check: errorNames(/allowed: POST/),
    },
    {
      name: 'DELETE on a model',
      request: { method: 'DELETE', path: '/v2/models/tiny', headers: {} },
      status: 405,
      check: errorNames(/allowed: GET/),
    },
    {
      name: 'POST on the server metadata',
      request: { method: 'POST', path: '/v2', headers: JSON_CT, body: json({}) },
      status: 405,
      check: errorNames(/allowed: GET/),
    },
    {
      name: 'PUT on a version readiness',
      request: { method: 'PUT', path: '/v2/models/tiny/versions/1/ready', headers: {} },
      status: 405,
      check: errorNames(/allowed: GET/),
    },
  ];
}

/**
 * The shape of an answer, what must be equal across targets: status, media type, and the JSON
 * skeleton (keys, types, array lengths; values only where they are the protocol's own words).
 */
export function answerShape(res: WireResponse): unknown {
  const mediaType = (res.headers['content-type'] ?? '').split(';')[0]?.trim();
  let body: unknown = `${res.body.length} bytes`;
  if (mediaType === 'application/json') {
    // Every JSON answer is strict JSON (non-finite floats are null): JSON.parse reads it as it is.
    body = skeleton(JSON.parse(res.body.toString('utf8')));
  }
  return { status: res.status, mediaType, body, allow: res.headers.allow };
}

function skeleton(value: unknown): unknown {
  if (Array.isArray(value)) return [`${value.length} x`, value.length > 0 ? skeleton(value[0]) : null];
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, skeleton((value as Record<string, unknown>)[k])]),
    );
  return typeof value;
}
