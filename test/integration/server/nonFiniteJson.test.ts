import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { toHalfBits } from '../../../lib/core/protocol/float16';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { bodyBytes, httpApiEvent, type Result } from '../../support/httpApiEvent';
import { encodeModel, writeModel } from '../../support/onnxModels';
import { call, startTestServer, tempDir } from './helpers';

/**
 * NaN and the infinities in a float output: a 200 answer is JSON every client can read. In a JSON
 * body they are `null` (as JSON.stringify writes them, and as the domain routes always have);
 * exact values travel in binary output. Read back by strict parsers: JSON.parse, and Python's json
 * module with non-standard constants refused (tritonclient itself cannot be installed here: no
 * PyPI; it parses with python-rapidjson, which reads `null` too, and its `as_numpy` turns a JSON
 * `null` in a float tensor into NaN).
 */
const VALUES = [Number.NaN, Infinity, -Infinity, -0, 1.5];
const TYPES = [
  { datatype: 'FP16', onnx: 'float16', bytes: Buffer.from(Uint16Array.from(VALUES, toHalfBits).buffer) },
  { datatype: 'FP32', onnx: 'float32', bytes: Buffer.from(Float32Array.from(VALUES).buffer) },
  { datatype: 'FP64', onnx: 'float64', bytes: Buffer.from(Float64Array.from(VALUES).buffer) },
] as const;
const dir = tempDir('onnxless-nonfinite-');
const weights = writeModel(
  join(dir, 'identity.onnx'),
  encodeModel({
    inputs: TYPES.map((t) => [`x_${t.onnx}`, t.onnx, ['batch', 'n']]),
    outputs: TYPES.map((t) => [`y_${t.onnx}`, t.onnx, ['batch', 'n']]),
    nodes: TYPES.map((t) => ({ opType: 'Identity', input: [`x_${t.onnx}`], output: [`y_${t.onnx}`] })),
  }),
);

/** A binary request (the only way to send NaN), asking every output as JSON or as binary. */
function request(binaryOutputs: boolean): { body: Buffer; headerLength: number } {
  const header = Buffer.from(
    JSON.stringify({
      inputs: TYPES.map((t) => ({
        name: `x_${t.onnx}`,
        datatype: t.datatype,
        shape: [1, VALUES.length],
        parameters: { binary_data_size: t.bytes.length },
      })),
      outputs: TYPES.map((t) => ({ name: `y_${t.onnx}`, parameters: { binary_data: binaryOutputs } })),
    }),
  );
  return { body: Buffer.concat([header, ...TYPES.map((t) => t.bytes)]), headerLength: header.length };
}

/** Python's json module, strict: NaN, Infinity and -Infinity literals raise instead of parsing. */
function pythonStrictParse(texts: readonly string[]): unknown[] {
  const script = [
    'import json, sys',
    'def refuse(name): raise ValueError("not JSON: " + name)',
    'out = [json.loads(line, parse_constant=refuse) for line in sys.stdin.read().splitlines()]',
    'print(json.dumps(out, allow_nan=False))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', script], { input: texts.join('\n') }).toString('utf8')) as unknown[];
}

interface Answer {
  outputs: Array<{ name: string; datatype: string; data?: unknown[] }>;
}

function expectNullsForNonFinite(text: string): void {
  const parsed = JSON.parse(text) as Answer;
  expect(parsed.outputs.map((o) => o.datatype)).toEqual(TYPES.map((t) => t.datatype));
  for (const output of parsed.outputs) {
    // -0.0 keeps its sign (valid JSON); 1.5 as written.
    expect(output.data, output.name).toEqual([null, null, null, -0, 1.5]);
    expect(Object.is(output.data?.[3], -0), output.name).toBe(true);
  }
}

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer({ models: { identity: { weights } } });
});
afterAll(async () => {
  await server?.drain(5000);
});

describe('non-finite floats in a JSON answer', () => {
  it('are null on every form, read by JSON.parse and by Python json in strict mode', async () => {
    const { body, headerLength } = request(false);
    const texts: string[] = [];

    const served = await call(server.url, 'POST', '/v2/models/identity/infer', body, {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(headerLength),
    });
    expect(served.status).toBe(200);
    texts.push(served.body.toString('utf8'));

    const invocations = await call(server.url, 'POST', '/invocations', body, {
      'content-type': `application/vnd.sagemaker-triton.binary+json;json-header-size=${headerLength}`,
    });
    expect(invocations.status).toBe(200);
    texts.push(invocations.body.toString('utf8'));

    const handler = createLambdaHandler(
      { name: 'identity', uri: weights, cacheDir: tempDir(), eager: false, session: {}, limits: DEFAULT_LIMITS },
      { sink: NO_SINK },
    );
    const lambda = (await handler(
      httpApiEvent('POST', '/v2/models/identity/infer', {
        body,
        headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerLength) },
      }),
    )) as Result;
    expect(lambda.statusCode).toBe(200);
    texts.push(bodyBytes(lambda).toString('utf8'));

    for (const text of texts) expectNullsForNonFinite(text);
    const python = pythonStrictParse(texts) as Answer[];
    for (const answer of python) expect(answer.outputs.map((o) => o.data)).toEqual(TYPES.map(() => [null, null, null, -0, 1.5]));
  });

  it('binary output carries NaN and the infinities exactly', async () => {
    const { body, headerLength } = request(true);
    const reply = await call(server.url, 'POST', '/v2/models/identity/infer', body, {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(headerLength),
    });
    expect(reply.status).toBe(200);
    const head = Number(reply.headers['inference-header-content-length']);
    expect(reply.body.subarray(head)).toEqual(Buffer.concat(TYPES.map((t) => t.bytes)));
  });
});
