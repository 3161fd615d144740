import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLambdaHandler } from '../../lib/lambda/createLambdaHandler';
import { NO_SINK } from '../../lib/core/observability/sinks';
import { encodeBytesElements } from '../../lib/core/protocol/binaryTensor';
import { DEFAULT_LIMITS } from '../../lib/core/protocol/limits';
import { assertWellFormed, fuzzParameters } from '../support/fuzz/fuzzHarness';
import { httpApiEvent, jsonBody, type Result } from '../support/httpApiEvent';
import { encodeModel, identityModel, writeModel } from '../support/onnxModels';
import { tempDir } from '../support/testHandler';

/**
 * The rules of docs/runtime.md under fuzzed values: the binary header length, `class_count`,
 * request ids and names, JSON numbers, and BYTES text (NUL, lone surrogates). Every answer is a 200 or a 4xx `{"error"}` (never a
 * 5xx), and each rule gives the answer it promises.
 */
const dir = tempDir('onnxless-fuzz-rules-');
const uri = writeModel(
  join(dir, 'identity.onnx'),
  encodeModel({
    inputs: [['x', 'float32', ['batch', 'n']]],
    outputs: [['y', 'float32', ['batch', 'n']]],
    nodes: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
  }),
);
const raw = createLambdaHandler(
  { name: 'id', uri, cacheDir: dir, eager: false, session: { intraOpThreads: 1 }, limits: DEFAULT_LIMITS },
  { sink: NO_SINK },
);
const handler = async (event: unknown) => (await raw(event)) as Result;
const stringsUri = writeModel(join(dir, 'strings.onnx'), identityModel('string', ['n'], { input: 's', output: 't' }));
const strings = createLambdaHandler(
  { name: 'strings', uri: stringsUri, cacheDir: dir, eager: false, session: { intraOpThreads: 1 }, limits: DEFAULT_LIMITS },
  { sink: NO_SINK },
);
const infer = (body: string | Buffer, headers: Record<string, string> = {}) =>
  handler(httpApiEvent('POST', '/v2/models/id/infer', { body, headers }));

describe('protocol rules under fuzzed values', () => {
  it('reads Inference-Header-Content-Length as plain decimal digits or answers 400', async () => {
    const header = Buffer.from(
      JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], parameters: { binary_data_size: 4 } }] }),
    );
    const body = Buffer.concat([header, Buffer.from(Float32Array.of(2).buffer)]);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom(String(header.length), `0x${header.length.toString(16)}`, `${header.length}.0`, ` ${header.length}`),
        ),
        async (length) => {
          const result = await infer(body, { 'content-type': 'application/octet-stream', 'inference-header-content-length': length });
          assertWellFormed(result);
          expect(result.statusCode).toBe(length.trim() === String(header.length) ? 200 : 400);
        },
      ),
      fuzzParameters(300),
    );
  });

  it('answers class_count with k classification strings, or a 400 naming the parameter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 1 }), fc.integer({ min: 1, max: 5 }), async (classCount, n) => {
        const data = Array.from({ length: n }, (_, i) => i / 10);
        const result = await infer(
          JSON.stringify({
            inputs: [{ name: 'x', datatype: 'FP32', shape: [1, n], data }],
            outputs: [{ name: 'y', parameters: { class_count: classCount } }],
          }),
        );
        assertWellFormed(result);
        if (typeof classCount === 'number' && Number.isSafeInteger(classCount) && classCount >= 1) {
          expect(result.statusCode).toBe(200);
          expect(jsonBody(result).outputs[0]).toMatchObject({ datatype: 'BYTES', shape: [1, Math.min(classCount, n)] });
        } else {
          expect([result.statusCode, jsonBody(result).error]).toEqual([
            400,
            "output 'y': parameter class_count must be a whole number of at least 1",
          ]);
        }
      }),
      fuzzParameters(300),
    );
  });

  it('round-trips any finite float32 in JSON, -0 included, and refuses what overflows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.float({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0), fc.constantFrom(1e39, -1e300)), {
          minLength: 1,
          maxLength: 8,
        }),
        async (values) => {
          const text = `[${values.map((v) => (Object.is(v, -0) ? '-0.0' : String(v))).join(',')}]`;
          const result = await infer(`{"inputs":[{"name":"x","datatype":"FP32","shape":[1,${values.length}],"data":${text}}]}`);
          assertWellFormed(result);
          if (values.some((v) => !Number.isFinite(Math.fround(v)))) {
            expect(result.statusCode).toBe(400);
            return;
          }
          expect(result.statusCode).toBe(200);
          const out = /"data":\[([^\]]*)\]/.exec(result.body)?.[1]?.split(',') ?? [];
          expect(out.map(Number)).toEqual(values.map((v) => Math.fround(v)));
          expect(out.map((t) => t === '-0.0')).toEqual(values.map((v) => Object.is(Math.fround(v), -0)));
        },
      ),
      fuzzParameters(300),
    );
  });

  it('carries BYTES text whole or refuses it with a 400 naming why, in JSON and binary: never a 200 with other text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('a\u0000b', '\u0000', '\ud800', 'x\udc00')), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.boolean(),
        async (data, binary) => {
          const tensor = { name: 's', datatype: 'BYTES', shape: [data.length] };
          let event;
          if (binary) {
            const bytes = encodeBytesElements(data);
            const header = Buffer.from(
              JSON.stringify({
                inputs: [{ ...tensor, parameters: { binary_data_size: bytes.length } }],
                outputs: [{ name: 't', parameters: { binary_data: false } }],
              }),
            );
            event = httpApiEvent('POST', '/v2/models/strings/infer', {
              body: Buffer.concat([header, bytes]),
              headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
            });
          } else {
            event = httpApiEvent('POST', '/v2/models/strings/infer', { body: JSON.stringify({ inputs: [{ ...tensor, data }] }) });
          }
          const result = (await strings(event)) as Result;
          assertWellFormed(result);
          if (result.statusCode === 200) {
            // Binary input encodes a lone surrogate as U+FFFD before the server sees it: compare with what was sent.
            const sent = binary ? data.map((v) => Buffer.from(v, 'utf8').toString('utf8')) : data;
            expect(jsonBody(result).outputs[0].data).toEqual(sent);
          } else {
            expect(result.statusCode).toBe(400);
            expect(jsonBody(result).error).toMatch(/NUL|surrogate|UTF-8/);
          }
          const refused = data.some((v) => v.includes('\u0000') || (!binary && /\p{Cs}/u.test(v)));
          expect(result.statusCode).toBe(refused ? 400 : 200);
        },
      ),
      fuzzParameters(300),
    );
  });

  it('bounds the request id: up to 256 characters echoed, longer refused', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 0, maxLength: 400 }), async (id) => {
        const result = await infer(JSON.stringify({ id, inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [1] }] }));
        assertWellFormed(result);
        if (id.length <= 256) expect(jsonBody(result).id).toBe(id);
        else expect(result.statusCode).toBe(400);
        expect(result.body.length).toBeLessThan(1400 + id.length * (id.length <= 256 ? 6 : 0));
      }),
      fuzzParameters(200),
    );
  });
});
