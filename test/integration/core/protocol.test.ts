import { InferenceSession, Tensor } from 'onnxruntime-node';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHalfBits, toHalfBits } from '../../../lib/core/protocol/float16';
import { keepHalfBitsAll } from '../../../lib/core/onnx/halfBits';
import { bodyBytes, httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { allTypesIdentityModel, fixedShapeModel, writeModel } from '../../support/onnxModels';
import { tempDir, testHandler } from '../../support/testHandler';

const dir = tempDir();
const typesPath = writeModel(join(dir, 'types.onnx'), allTypesIdentityModel());
const fixedPath = writeModel(join(dir, 'fixed.onnx'), fixedShapeModel());

type Case = { datatype: string; ort: string; json: unknown[]; typed: () => Tensor['data'] };
const BIG = 2n ** 62n + 12345n; // beyond 2^53: JSON.parse alone would round it
const CASES: Case[] = [
  { datatype: 'BOOL', ort: 'bool', json: [true, false, true, true, false, false], typed: () => Uint8Array.from([1, 0, 1, 1, 0, 0]) },
  { datatype: 'UINT8', ort: 'uint8', json: [0, 1, 2, 128, 254, 255], typed: () => Uint8Array.from([0, 1, 2, 128, 254, 255]) },
  {
    datatype: 'UINT16',
    ort: 'uint16',
    json: [0, 1, 300, 40000, 65534, 65535],
    typed: () => Uint16Array.from([0, 1, 300, 40000, 65534, 65535]),
  },
  {
    datatype: 'UINT32',
    ort: 'uint32',
    json: [0, 1, 70000, 3e9, 4294967294, 4294967295],
    typed: () => Uint32Array.from([0, 1, 70000, 3e9, 4294967294, 4294967295]),
  },
  {
    datatype: 'UINT64',
    ort: 'uint64',
    json: [0, 1, 2, 3, 4, 2 ** 53 - 1],
    typed: () => BigUint64Array.from([0n, 1n, 2n, 3n, 4n, 2n ** 53n - 1n]),
  },
  { datatype: 'INT8', ort: 'int8', json: [-128, -1, 0, 1, 100, 127], typed: () => Int8Array.from([-128, -1, 0, 1, 100, 127]) },
  { datatype: 'INT16', ort: 'int16', json: [-32768, -1, 0, 1, 1000, 32767], typed: () => Int16Array.from([-32768, -1, 0, 1, 1000, 32767]) },
  {
    datatype: 'INT32',
    ort: 'int32',
    json: [-2147483648, -1, 0, 1, 123456789, 2147483647],
    typed: () => Int32Array.from([-2147483648, -1, 0, 1, 123456789, 2147483647]),
  },
  { datatype: 'INT64', ort: 'int64', json: [-5, -1, 0, 1, 2 ** 40, 7], typed: () => BigInt64Array.from([-5n, -1n, 0n, 1n, 2n ** 40n, 7n]) },
  {
    datatype: 'FP16',
    ort: 'float16',
    json: [0, 1, -2, 0.5, 65504, 0.333251953125],
    typed: () => Uint16Array.from([0, 1, -2, 0.5, 65504, 0.333251953125].map(toHalfBits)),
  },
  {
    datatype: 'FP32',
    ort: 'float32',
    json: [0, 1.5, -2.25, 3.4e38, 1e-30, 0.1],
    typed: () => Float32Array.from([0, 1.5, -2.25, 3.4e38, 1e-30, 0.1]),
  },
  {
    datatype: 'FP64',
    ort: 'float64',
    json: [0, 1.5, -2.25, 1e300, 1e-300, 0.1],
    typed: () => Float64Array.from([0, 1.5, -2.25, 1e300, 1e-300, 0.1]),
  },
  {
    datatype: 'BYTES',
    ort: 'string',
    json: ['', 'a', 'héllo', '日本', 'x'.repeat(100), 'z;'],
    typed: () => ['', 'a', 'héllo', '日本', 'x'.repeat(100), 'z;'],
  },
];

let direct: InferenceSession;
const { handler } = testHandler({ name: 'types', uri: typesPath });
const fixed = testHandler({ name: 'fixed', uri: fixedPath }).handler;

beforeAll(async () => {
  direct = await InferenceSession.create(typesPath);
});

/** Feeds for every input of the identity model; the case under test gets its own data. */
function allFeeds(): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const c of CASES) feeds[`in_${c.ort}`] = new Tensor(c.ort as never, c.typed() as never, [2, 3]);
  // FP16 as bits on Node 24 too (its global Float16Array is unknown to onnxruntime-node's binding).
  return keepHalfBitsAll(feeds);
}

function jsonInputs(): unknown[] {
  return CASES.map((c) => ({ name: `in_${c.ort}`, shape: [2, 3], datatype: c.datatype, data: c.json }));
}

function infer(body: string | Buffer, headers: Record<string, string> = {}): Promise<Result> {
  return handler(httpApiEvent('POST', '/v2/models/types/infer', { body, headers }));
}

function asJson(data: Tensor['data'], ort: string): unknown[] {
  if (ort === 'float16') return Array.from(data as Uint16Array, fromHalfBits);
  if (ort === 'bool') return Array.from(data as Uint8Array, Boolean);
  if (ort === 'int64' || ort === 'uint64') return Array.from(data as BigInt64Array, (v) => Number(v));
  return Array.from(data as ArrayLike<unknown>);
}

describe('OIP v2 over JSON, every datatype', () => {
  it('returns what a direct session.run returns, for every datatype', async () => {
    const expected = keepHalfBitsAll(await direct.run(allFeeds()));

    const result = await infer(JSON.stringify({ inputs: jsonInputs() }));

    expect(result.statusCode).toBe(200);
    const body = jsonBody(result);
    for (const c of CASES) {
      const out = body.outputs.find((o: { name: string }) => o.name === `out_${c.ort}`);
      expect(out, c.datatype).toMatchObject({ datatype: c.datatype, shape: [2, 3] });
      const want = asJson((expected[`out_${c.ort}`] as Tensor).data, c.ort);
      if (c.ort.startsWith('float')) want.forEach((v, i) => expect(Math.abs(out.data[i] - (v as number))).toBeLessThanOrEqual(1e-6));
      else expect(out.data, c.datatype).toEqual(want);
    }
  });

  it('keeps 64-bit integers beyond 2^53 exact, in and out', async () => {
    const inputs = jsonInputs() as Array<{ name: string; data: unknown }>;
    const text = JSON.stringify({ inputs })
      .replace('[-5,-1,0,1,1099511627776,7]', `[-5,-1,0,1,${-BIG},${BIG}]`)
      .replace('[0,1,2,3,4,9007199254740991]', `[0,1,2,3,${2n ** 64n - 1n},${BIG}]`);

    const result = await infer(text);

    expect(result.statusCode).toBe(200);
    expect(result.body).toContain(`"out_int64","datatype":"INT64","shape":[2,3],"data":[-5,-1,0,1,${-BIG},${BIG}]`);
    expect(result.body).toContain(`"data":[0,1,2,3,${2n ** 64n - 1n},${BIG}]`);
  });

  it('accepts nested data laid out as the shape', async () => {
    const inputs = (jsonInputs() as Array<{ data: unknown[] }>).map((i) => ({ ...i, data: [i.data.slice(0, 3), i.data.slice(3)] }));
    const result = await infer(JSON.stringify({ inputs, outputs: [{ name: 'out_int32' }] }));
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result).outputs).toEqual([
      { name: 'out_int32', datatype: 'INT32', shape: [2, 3], data: [-2147483648, -1, 0, 1, 123456789, 2147483647] },
    ]);
  });

  it('serves model metadata with OIP datatypes and -1 for symbolic dimensions', async () => {
    const result = await handler(httpApiEvent('GET', '/v2/models/types'));
    const body = jsonBody(result);
    expect(body.platform).toBe('onnxruntime_onnx');
    expect(body.inputs).toContainEqual({ name: 'in_float16', datatype: 'FP16', shape: [-1, -1] });
    expect(body.outputs).toContainEqual({ name: 'out_string', datatype: 'BYTES', shape: [-1, -1] });
    const fixedMeta = jsonBody(await fixed(httpApiEvent('GET', '/v2/models/fixed')));
    expect(fixedMeta.inputs[0]).toEqual({ name: 'x', datatype: 'FP32', shape: [2, 3] });
  });

  it('answers the server routes', async () => {
    expect(jsonBody(await handler(httpApiEvent('GET', '/v2')))).toMatchObject({
      name: 'onnxless',
      extensions: ['binary_tensor_data', 'classification'],
    });
    expect(jsonBody(await handler(httpApiEvent('GET', '/v2/health/live')))).toEqual({ live: true });
    expect(jsonBody(await handler(httpApiEvent('GET', '/v2/health/ready')))).toEqual({ ready: true });
    expect(jsonBody(await handler(httpApiEvent('GET', '/v2/models/types/ready')))).toEqual({ name: 'types', ready: true });
  });

  it('answers a direct Invoke whose event is an OIP infer request', async () => {
    const body = (await handler({ inputs: jsonInputs(), outputs: [{ name: 'out_string' }] } as never)) as unknown as {
      outputs: Array<{ data: unknown }>;
    };
    expect(body.outputs[0]?.data).toEqual(CASES.find((c) => c.datatype === 'BYTES')?.json);
    await expect(handler({ inputs: [] } as never)).rejects.toMatchObject({ status: 400 });
  });
});

describe('binary tensor extension through API Gateway (base64 bodies)', () => {
  const binaryCases = CASES.filter((c) => ['FP32', 'INT64', 'BOOL', 'BYTES'].includes(c.datatype));

  function encodeTyped(c: Case, data: Tensor['data']): Buffer {
    if (c.datatype === 'BYTES') {
      return Buffer.concat(
        (data as string[]).flatMap((s) => {
          const b = Buffer.from(s, 'utf8');
          const len = Buffer.alloc(4);
          len.writeUInt32LE(b.length);
          return [len, b];
        }),
      );
    }
    const view = data as ArrayBufferView;
    return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  }

  it.each(binaryCases)('round-trips $datatype tensors in binary both ways', async (c) => {
    const typed = c.typed();
    const bytes = encodeTyped(c, typed);
    const others = (jsonInputs() as Array<{ name: string }>).filter((i) => i.name !== `in_${c.ort}`);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [...others, { name: `in_${c.ort}`, shape: [2, 3], datatype: c.datatype, parameters: { binary_data_size: bytes.length } }],
        outputs: [{ name: `out_${c.ort}`, parameters: { binary_data: true } }],
      }),
    );

    const result = await infer(Buffer.concat([header, bytes]), {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(header.length),
    });

    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(true);
    const raw = bodyBytes(result);
    const headerLength = Number(result.headers?.['inference-header-content-length']);
    const responseHeader = JSON.parse(raw.subarray(0, headerLength).toString('utf8'));
    expect(responseHeader.outputs[0]).toEqual({
      name: `out_${c.ort}`,
      datatype: c.datatype,
      shape: [2, 3],
      parameters: { binary_data_size: bytes.length },
    });
    expect(raw.subarray(headerLength).equals(bytes)).toBe(true);
  });

  it('returns every output in binary with binary_data_output', async () => {
    const result = await infer(JSON.stringify({ inputs: jsonInputs(), parameters: { binary_data_output: true } }));
    const raw = bodyBytes(result);
    const headerLength = Number(result.headers?.['inference-header-content-length']);
    const header = JSON.parse(raw.subarray(0, headerLength).toString('utf8'));
    const total = header.outputs.reduce(
      (n: number, o: { parameters: { binary_data_size: number } }) => n + o.parameters.binary_data_size,
      0,
    );
    expect(raw.length - headerLength).toBe(total);
    expect(header.outputs.every((o: { data?: unknown }) => o.data === undefined)).toBe(true);
  });
});

describe('JSON numbers and text: the written rules (docs/runtime.md)', () => {
  const withInput = (name: string, patch: Record<string, unknown>) =>
    (jsonInputs() as Array<Record<string, unknown>>).map((i) => (i.name === name ? { ...i, ...patch } : i));
  const text = (inputs: unknown[], outputs: string[]) => JSON.stringify({ inputs, outputs: outputs.map((name) => ({ name })) });

  it('round-trips -0.0 in FP32, FP64 and FP16 outputs', async () => {
    const inputs = withInput('in_float32', { data: [-0, 1, 2, 3, 4, 5] }).map((i) =>
      i.name === 'in_float64' || i.name === 'in_float16' ? { ...i, data: [-0, 1, 2, 3, 4, 5] } : i,
    );
    const result = await infer(text(inputs, ['out_float32', 'out_float64', 'out_float16']).replaceAll('[0,1,2,3,4,5]', '[-0.0,1,2,3,4,5]'));
    expect(result.statusCode).toBe(200);
    expect(result.body.match(/"data":\[-0\.0,1,2,3,4,5\]/g)).toHaveLength(3);
  });

  it.each([
    [
      'FP32 1e999 (JSON.parse reads Infinity)',
      'in_float32',
      '1e999',
      /data\[0\] is a number out of range .*finite number within FP32 range/,
    ],
    ['FP32 1e39 (overflows float32)', 'in_float32', '1e39', /data\[0\] is number 1e\+39, expected a finite number within FP32 range/],
    ['FP64 -1e999', 'in_float64', '-1e999', /data\[0\] is a number out of range .*within FP64 range/],
    ['FP16 70000', 'in_float16', '70000', /data\[0\] is number 70000, expected a finite number within FP16 range/],
    ['a NaN literal (not JSON)', 'in_float32', 'NaN', /body is not valid JSON/],
  ])('refuses %s with a 400 naming the input', async (_what, name, literal, message) => {
    const body = text(withInput(name, { data: ['@', 1, 2, 3, 4, 5] }), []).replace('"@"', literal);
    const result = await infer(body);
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toMatch(message);
  });

  it('refuses a BYTES element that is not UTF-8, rather than storing U+FFFD', async () => {
    const element = Buffer.from([0x66, 0xff, 0xfe]);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(element.length);
    const elements = Buffer.concat(Array.from({ length: 6 }, () => [len, element]).flat());
    const others = (jsonInputs() as Array<{ name: string }>).filter((i) => i.name !== 'in_string');
    const header = Buffer.from(
      JSON.stringify({
        inputs: [...others, { name: 'in_string', shape: [2, 3], datatype: 'BYTES', parameters: { binary_data_size: elements.length } }],
      }),
    );
    const result = await infer(Buffer.concat([header, elements]), { 'inference-header-content-length': String(header.length) });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe(
      "input 'in_string': BYTES element 0 is not valid UTF-8; onnxruntime string tensors carry UTF-8 text only",
    );
  });

  it('refuses a JSON BYTES element with a lone surrogate', async () => {
    const result = await infer(text(withInput('in_string', { data: ['ok', '@', 'a', 'b', 'c', 'd'] }), []).replace('"@"', '"\\ud800"'));
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toMatch(/input 'in_string': data\[1\] is a string, expected a string of whole Unicode characters/);
  });

  it("labels the classes from the model directory's labels.txt, one label a line", async () => {
    const labelled = tempDir();
    copyFileSync(typesPath, join(labelled, 'model.onnx'));
    writeFileSync(join(labelled, 'labels.txt'), 'low\nmid\nhigh\n');
    const { handler: withLabels } = testHandler({ name: 'types', uri: join(labelled, 'model.onnx') });
    const body = JSON.stringify({
      inputs: withInput('in_float32', { data: [0.25, 0.5, 0.125, 1, 0, -1] }),
      outputs: [{ name: 'out_float32', parameters: { class_count: 1 } }],
    });
    const result = await withLabels(httpApiEvent('POST', '/v2/models/types/infer', { body }));
    expect(jsonBody(result).outputs[0].data).toEqual(['0.500000:1:mid', '1.000000:0:low']);
  });

  it('answers class_count with Triton classification strings', async () => {
    const body = JSON.stringify({
      inputs: withInput('in_float32', { data: [0.25, 0.5, 0.125, 1, 0, -1] }),
      outputs: [{ name: 'out_float32', parameters: { class_count: 2 } }],
    });
    const result = await infer(body);
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result).outputs).toEqual([
      { name: 'out_float32', datatype: 'BYTES', shape: [2, 2], data: ['0.500000:1', '0.250000:0', '1.000000:0', '0.000000:1'] },
    ]);
  });
});

describe('bad input gets a clear 4xx, never a crash', () => {
  const x = { name: 'x', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] };
  const a = { name: 'a', shape: [2], datatype: 'FP32', data: [1, 2] };
  const b = { name: 'b', shape: [2], datatype: 'FP32', data: [1, 2] };
  const call = (body: unknown, headers: Record<string, string> = {}) =>
    fixed(httpApiEvent('POST', '/v2/models/fixed/infer', { body: typeof body === 'string' ? body : JSON.stringify(body), headers }));

  it.each([
    ['malformed JSON', '{"inputs": [', 400, /not valid JSON/],
    ['no inputs', { inputs: [] }, 400, /inputs/],
    ['an unknown input', { inputs: [x, a, b, { ...a, name: 'zz' }] }, 400, /unknown input 'zz'.*expects: x, a, b/],
    ['a missing input', { inputs: [x, a] }, 400, /missing input 'b'/],
    ['a wrong datatype', { inputs: [{ ...x, datatype: 'FP64' }, a, b] }, 400, /input 'x': datatype FP64 does not match the model's FP32/],
    ['an unknown datatype', { inputs: [{ ...x, datatype: 'FLOAT' }, a, b] }, 400, /unknown datatype 'FLOAT'/],
    [
      'data shorter than the shape',
      { inputs: [{ ...x, data: [1, 2, 3] }, a, b] },
      400,
      /input 'x': data has 3 elements, shape \[2, 3\] needs 6/,
    ],
    [
      'a string in float data',
      { inputs: [{ ...x, data: [1, 2, 'three', 4, 5, 6] }, a, b] },
      400,
      /input 'x': data\[2\] is a string, expected a number/,
    ],
    ['a negative dimension', { inputs: [{ ...x, shape: [-2, 3] }, a, b] }, 400, /shape\[0\] is -2, dimensions must not be negative/],
    [
      'a shape that contradicts the fixed dims',
      { inputs: [{ ...x, shape: [3, 2] }, a, b] },
      400,
      /shape\[0\] is 3, the model fixes it to 2/,
    ],
    ['a wrong rank', { inputs: [{ ...x, shape: [6] }, a, b] }, 400, /rank 1, the model expects rank 2/],
    ['an unknown output', { inputs: [x, a, b], outputs: [{ name: 'nope' }] }, 400, /unknown output 'nope'; the model has: y, sum/],
    [
      'an onnxruntime run error (incompatible broadcast)',
      { inputs: [x, { ...a, shape: [2], data: [1, 2] }, { ...b, shape: [3], data: [1, 2, 3] }] },
      400,
      /^model 'fixed' cannot run on these inputs: axis == 1 .*broadcast an axis by a dimension other than 1\. 2 by 3$/,
    ],
    [
      'a billion elements claimed',
      { inputs: [{ ...a, shape: [1000, 1000, 1000], data: [] }, x, b] },
      413,
      /1000000000 elements, over the limit/,
    ],
  ])('%s', async (_what, body, status, message) => {
    const result = await call(body);
    expect(result.statusCode).toBe(status);
    expect(jsonBody(result).error).toMatch(message as RegExp);
  });

  it('answers 413 for a body over the limit, before decoding it', async () => {
    const result = await fixed(httpApiEvent('POST', '/v2/models/fixed/infer', { body: Buffer.alloc(7 * 1024 * 1024) }));
    expect(result.statusCode).toBe(413);
    expect(jsonBody(result).error).toMatch(/over the limit of 6291456 bytes/);
  });

  it('answers 415 for an unsupported content type', async () => {
    const result = await call({ inputs: [x, a, b] }, { 'content-type': 'text/csv' });
    expect(result.statusCode).toBe(415);
    expect(jsonBody(result).error).toMatch(/unsupported content type 'text\/csv'; accepted: application\/json/);
  });

  it('answers 404 for an unknown model or route, 405 for a wrong method', async () => {
    const unknownModel = await fixed(httpApiEvent('GET', '/v2/models/other'));
    expect(unknownModel.statusCode).toBe(404);
    expect(jsonBody(unknownModel).error).toMatch(/unknown model 'other'; served here: fixed/);
    expect((await fixed(httpApiEvent('GET', '/nope'))).statusCode).toBe(404);
    const wrongMethod = await fixed(httpApiEvent('GET', '/v2/models/fixed/infer'));
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers?.allow).toBe('POST');
  });

  it('refuses binary bodies whose sizes disagree with their header', async () => {
    const header = Buffer.from(JSON.stringify({ inputs: [{ ...x, data: undefined, parameters: { binary_data_size: 24 } }, a, b] }));
    const short = await call(Buffer.concat([header, Buffer.alloc(10)]).toString('latin1'), {
      'inference-header-content-length': String(header.length),
    });
    expect(short.statusCode).toBe(400);
    const badLength = await fixed(
      httpApiEvent('POST', '/v2/models/fixed/infer', {
        body: Buffer.concat([header, Buffer.alloc(24)]),
        headers: { 'inference-header-content-length': '999999' },
      }),
    );
    expect(badLength.statusCode).toBe(400);
    expect(jsonBody(badLength).error).toMatch(/Inference-Header-Content-Length/);
  });
});

describe('model versions', () => {
  const versioned = testHandler({ name: 'fixed', uri: fixedPath, version: '3' }).handler;
  const x = { name: 'x', shape: [2, 3], datatype: 'FP32', data: [1, 2, 3, 4, 5, 6] };
  const ab = [
    { name: 'a', shape: [1], datatype: 'FP32', data: [1] },
    { name: 'b', shape: [1], datatype: 'FP32', data: [1] },
  ];

  it('reports its version in metadata and responses, and answers on /versions/{v}', async () => {
    expect(jsonBody(await versioned(httpApiEvent('GET', '/v2/models/fixed'))).versions).toEqual(['3']);
    const result = await versioned(
      httpApiEvent('POST', '/v2/models/fixed/versions/3/infer', { body: JSON.stringify({ inputs: [x, ...ab] }) }),
    );
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result).model_version).toBe('3');
    expect((await versioned(httpApiEvent('GET', '/v2/models/fixed/versions/3/ready'))).statusCode).toBe(200);
  });

  it('answers 404 for a version it does not serve', async () => {
    const result = await versioned(httpApiEvent('GET', '/v2/models/fixed/versions/2'));
    expect(result.statusCode).toBe(404);
    expect(jsonBody(result).error).toBe("model 'fixed' has no version '2'; versions: 3");
  });
});
