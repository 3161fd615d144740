import { join } from 'node:path';
import { brotliCompressSync, deflateRawSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { createLambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { sendRaw } from '../../contract/rawHttp';
import { httpApiEventOf } from '../../contract/targets';
import { bodyBytes, type Result } from '../../support/httpApiEvent';
import { identityModel, writeModel } from '../../support/onnxModels';
import { compressedAsTritonClient, tritonClassificationRequest, type TritonRequest } from '../../support/tritonClientRequests';
import { startTestServer, tempDir } from './helpers';

/**
 * Issue 27: request compression. tritonclient sends `Content-Encoding: gzip` or `deflate` bodies
 * (`request_compression_algorithm`), which Triton decodes; onnxless read them as plain bytes (a
 * 400 about JSON that was never sent). Now decoded on every form, bounded by the model's body
 * limit once decoded (a 413, however small the compressed body), any other coding a 415.
 */
const dir = tempDir('onnxless-request-compression-');
const weights = writeModel(join(dir, 'scores.onnx'), identityModel('float32', ['batch', 'n']));
const SCORES = [0.5, 0.125, 1, 0.25];
const LIMIT = 64 * 1024;
const request = (binary: boolean) =>
  tritonClassificationRequest({ input: 'x', output: 'y', shape: [1, 4], values: SCORES, classCount: 2, binary });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

let server: Awaited<ReturnType<typeof startTestServer>>;
const handler = createLambdaHandler(
  { name: 'scores', uri: weights, cacheDir: tempDir(), eager: false, session: {}, limits: { ...DEFAULT_LIMITS, maxBodyBytes: LIMIT } },
  { sink: NO_SINK },
);

function viaServe(req: TritonRequest): Promise<Answer> {
  return sendRaw(server.port, { method: 'POST', path: '/v2/models/scores/infer', headers: req.headers, body: req.body });
}

async function viaLambda(req: TritonRequest): Promise<Answer> {
  const event = httpApiEventOf({ method: 'POST', path: '/v2/models/scores/infer', headers: req.headers, body: req.body }, '$default');
  const result = (await handler(event)) as Result;
  return { status: result.statusCode, headers: (result.headers ?? {}) as Answer['headers'], body: bodyBytes(result) };
}

const error = (answer: Answer) => JSON.parse(answer.body.toString('utf8')).error as string;

beforeAll(async () => {
  server = await startTestServer({ models: { scores: { weights, maxBodyBytes: LIMIT } } });
});
afterAll(async () => {
  await server?.drain(5000);
});

describe('compressed request bodies, as tritonclient sends them', () => {
  for (const [form, send] of [
    ['serve', viaServe],
    ['the Lambda handler', viaLambda],
  ] as const) {
    for (const algorithm of ['gzip', 'deflate'] as const) {
      for (const binary of [false, true]) {
        it(`answers a ${algorithm}-compressed ${binary ? 'binary' : 'JSON'} infer request on ${form} as the plain one`, async () => {
          const plain = await send(request(binary));
          const compressed = await send(compressedAsTritonClient(request(binary), algorithm));
          expect(compressed.status, compressed.body.toString('utf8')).toBe(200);
          expect(compressed.body.equals(plain.body)).toBe(true);
        });
      }
    }

    it(`answers 413 on ${form} to a small body that decodes past the limit`, async () => {
      // 40 KB of gzip that would decode to 64 MB: inflating stops one byte past the limit
      const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(LIMIT);
      // No Content-Type, as tritonclient sends: API Gateway passes a text type's body as UTF-8, which no compressed body survives
      const answer = await send({ body: bomb, headers: { 'Content-Encoding': 'gzip' } });
      expect([answer.status, error(answer)]).toEqual([
        413,
        `request body is over the limit of ${LIMIT} bytes once decoded (Content-Encoding: gzip)`,
      ]);
    });

    it(`answers 415 naming the coding on ${form} for an encoding it does not decode, 400 for bytes that are not what the header says`, async () => {
      const br = await send({ body: brotliCompressSync(request(false).body), headers: { 'Content-Encoding': 'br' } });
      expect([br.status, error(br)]).toEqual([415, "unsupported Content-Encoding 'br'; accepted: gzip, deflate, identity (or none)"]);
      const lying = await send({ body: request(false).body, headers: { 'Content-Encoding': 'gzip' } });
      expect(lying.status).toBe(400);
      expect(error(lying)).toMatch(/^request body is not valid gzip data, as its Content-Encoding says/);
    });

    it(`takes raw deflate (no zlib header) and stacked codings on ${form}`, async () => {
      const raw = await send({ body: deflateRawSync(request(false).body), headers: { 'Content-Encoding': 'deflate' } });
      expect(raw.status).toBe(200);
      const stacked = await send({ body: gzipSync(gzipSync(request(false).body)), headers: { 'Content-Encoding': 'gzip, gzip' } });
      expect(stacked.status).toBe(200);
    });
  }
});
