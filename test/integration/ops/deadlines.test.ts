import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLambdaHandler, type InvocationContext } from '../../../lib/lambda/createLambdaHandler';
import { RecordingSink } from '../../support/RecordingSink';
import { pipelines } from '../../../lib/core/builtins';
import { deadlineFromLambdaContext, HTTP_API_TIMEOUT_MS } from '../../../lib/core/inference/Deadline';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { createS3Client } from '../../../lib/core/sources/s3Client';
import { httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../../support/localS3';
import { writeWav } from '../../support/fuzz/mediaArbitraries';
import { encodeModel, fixedShapeModel } from '../../support/onnxModels';
import { REAL_MODELS } from '../../support/realModels';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'models';
const CLS_KEY = 'cls/model.onnx';
const SLOW_KEY = 'slow/model.onnx';
const clsBytes = readFileSync(REAL_MODELS.textOrientation);
const MARGIN = 1500;

/** y = x·W, eight times over, x [256, 512], W [512, 512]: ~0.5 GFLOP, tens of ms on one thread. */
function slowModel(): Uint8Array {
  const n = 512;
  const weights = Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1e6);
  const nodes = Array.from({ length: 8 }, (_, i) => ({
    opType: 'MatMul',
    input: [i === 0 ? 'x' : `h${i}`, 'w'],
    output: [i === 7 ? 'y' : `h${i + 1}`],
  }));
  return encodeModel({
    inputs: [['x', 'float32', ['batch', n]]],
    outputs: [['y', 'float32', ['batch', n]]],
    nodes,
    initializers: [{ name: 'w', dataType: 1, dims: [n, n], floatData: weights }],
  });
}

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  await s3.put(BUCKET, CLS_KEY, clsBytes);
  await s3.put(BUCKET, SLOW_KEY, slowModel());
  await s3.put(BUCKET, 'fixed/model.onnx', fixedShapeModel());
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
});
afterAll(async () => s3?.close());
beforeEach(() => s3.proxy.reset());

function handlerFor(key: string, cacheDir = tempDir()) {
  const sink = new RecordingSink();
  const raw = createLambdaHandler(
    {
      name: 'm',
      uri: `s3://${BUCKET}/${key}`,
      cacheDir,
      eager: false,
      session: { intraOpThreads: 1 },
      limits: DEFAULT_LIMITS,
      safetyMarginMs: MARGIN,
    },
    { s3Client: createS3Client({ AWS_ENDPOINT_URL_S3: s3.endpoint }), sink },
  );
  return { sink, cacheDir, invoke: async (event: unknown, ctx?: InvocationContext) => (await raw(event, ctx)) as Result };
}

/** A Lambda context with `ms` left on the clock from now. */
function remaining(ms: number): InvocationContext {
  const end = Date.now() + ms;
  return { awsRequestId: `r-${ms}`, getRemainingTimeInMillis: () => end - Date.now() };
}

const clsInfer = () =>
  httpApiEvent('POST', '/v2/models/m/infer', {
    body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: new Array(3 * 48 * 192).fill(0.5) }] }),
  });
const slowInfer = () =>
  httpApiEvent('POST', '/v2/models/m/infer', {
    body: JSON.stringify({ inputs: [{ name: 'x', shape: [256, 512], datatype: 'FP32', data: new Array(256 * 512).fill(0.01) }] }),
  });

describe('a cold load that cannot finish in time', () => {
  it('answers 503 with Retry-After before the deadline, and the next invocation gets the model without fetching it again', async () => {
    s3.proxy.inject({ type: 'latency', ms: 3000 }, 1, (m, p) => m === 'GET' && p.endsWith(CLS_KEY));
    const h = handlerFor(CLS_KEY);

    const started = Date.now();
    const first = await h.invoke(clsInfer(), remaining(MARGIN + 600));
    const took = Date.now() - started;

    expect(first.statusCode).toBe(503);
    expect(first.headers?.['retry-after']).toBe('1');
    expect(jsonBody(first).error).toMatch(/model 'm' is still loading/);
    // Answered when the budget (remaining - margin = 600 ms) ran out, long before Lambda's timeout.
    expect(took).toBeGreaterThanOrEqual(550);
    expect(took).toBeLessThan(MARGIN + 600);
    expect(h.sink.requests[0]).toMatchObject({ status: 503, deadline: 'load' });
    // Nothing half-written is visible as the model meanwhile.
    expect(modelFiles(h.cacheDir).filter((f) => !f.valid)).toEqual([]);

    const second = await h.invoke(clsInfer(), remaining(20_000));

    expect(second.statusCode).toBe(200);
    const gets = s3.proxy.gets(CLS_KEY);
    const fetched = gets.reduce((n, g) => n + g.bodyBytes, 0);
    expect(fetched - clsBytes.length).toBe(0);
    expect(modelFiles(h.cacheDir)).toEqual([{ name: 'model.onnx', valid: true }]);
  });

  it('answers 503 at once when the remaining time is already inside the safety margin', async () => {
    const h = handlerFor('fixed/model.onnx');
    const started = Date.now();
    const result = await h.invoke(httpApiEvent('GET', '/v2/models/m/ready'), remaining(MARGIN - 200));
    expect(result.statusCode).toBe(503);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('caps the budget at API Gateway\u2019s 30 s for HTTP events even when Lambda allows 15 minutes', () => {
    const fifteenMinutes = { getRemainingTimeInMillis: () => 900_000 };
    const http = deadlineFromLambdaContext(fifteenMinutes, { safetyMarginMs: MARGIN, capMs: HTTP_API_TIMEOUT_MS });
    const direct = deadlineFromLambdaContext(fifteenMinutes, { safetyMarginMs: MARGIN });
    expect(http.remainingMs()).toBeLessThanOrEqual(30_000 - MARGIN);
    expect(http.remainingMs()).toBeGreaterThan(30_000 - MARGIN - 100);
    expect(direct.remainingMs()).toBeGreaterThan(900_000 - MARGIN - 100);
    expect(deadlineFromLambdaContext(undefined).isFinite).toBe(false);
  });
});

describe('an inference likely to overrun', () => {
  it('answers 504 without running when recent run times exceed the time left, and runs when they fit', async () => {
    const h = handlerFor(SLOW_KEY);
    for (let i = 0; i < 3; i++) expect((await h.invoke(slowInfer(), remaining(20_000))).statusCode).toBe(200);
    const runs = h.sink.requests.map((r) => r.durations.inference as number);
    const fastest = Math.min(...runs);
    expect(fastest).toBeGreaterThan(4);

    const started = Date.now();
    const result = await h.invoke(slowInfer(), remaining(MARGIN + Math.floor(fastest / 4)));

    expect(result.statusCode).toBe(504);
    expect(jsonBody(result).error).toMatch(/inference takes about \d+ ms \(p90 of recent runs\) but only \d+ ms are left/);
    const record = h.sink.requests.at(-1);
    expect(record).toMatchObject({ status: 504, deadline: 'inference' });
    expect(record?.durations).not.toHaveProperty('inference');
    expect(Date.now() - started).toBeLessThan(fastest + 500);

    expect((await h.invoke(slowInfer(), remaining(20_000))).statusCode).toBe(200);
  });

  it('runs a model it has no run times for yet, and without a context has no deadline at all', async () => {
    const h = handlerFor(SLOW_KEY);
    expect((await h.invoke(slowInfer(), remaining(MARGIN + 5000))).statusCode).toBe(200);
    expect((await h.invoke(slowInfer())).statusCode).toBe(200);
  });
});

/** Files at the model's cache path and whether each is the verified object. */
function modelFiles(dir: string): Array<{ name: string; valid: boolean }> {
  const out: Array<{ name: string; valid: boolean }> = [];
  const want = createHash('sha256').update(clsBytes).digest('hex');
  for (const sub of existsSync(dir) ? readdirSync(dir) : []) {
    for (const name of readdirSync(join(dir, sub))) {
      // Not this machine's optimised graph kept beside the model (hidden, lib/core/onnx/MachineGraph.ts).
      if (!name.endsWith('.onnx') || name.startsWith('.')) continue;
      const sha = createHash('sha256')
        .update(readFileSync(join(dir, sub, name)))
        .digest('hex');
      out.push({ name, valid: sha === want });
    }
  }
  return out;
}

describe('a domain route that runs the model many times', () => {
  it('stops a long clip with 504 when the deadline comes mid-way, instead of being cut off by Lambda', async () => {
    const sink = new RecordingSink();
    const raw = createLambdaHandler(
      {
        name: 'vad',
        uri: `file://${REAL_MODELS.sileroVad}`,
        cacheDir: tempDir(),
        eager: false,
        session: { intraOpThreads: 1 },
        limits: DEFAULT_LIMITS,
        safetyMarginMs: MARGIN,
      },
      { sink, pipeline: pipelines.voiceActivity },
    );
    // 60 s of 16 kHz audio: ~1,900 runs of Silero VAD.
    const samples = new Uint8Array(60 * 16_000 * 2);
    for (let i = 0; i < samples.length; i += 2) samples[i] = (i * 7) & 0xff;
    const clip = httpApiEvent('POST', '/models/vad/predict', {
      body: writeWav({ container: 'RIFF', format: 1, channels: 1, rate: 16_000, bits: 16, data: samples, dataFirst: false }),
      headers: { 'content-type': 'audio/wav' },
    });
    const full = (await raw(clip, remaining(25_000))) as Result;
    expect(full.statusCode).toBe(200);
    const fullMs = sink.requests[0]?.durations.total as number;
    expect(sink.requests[0]?.durations.inference).toBeGreaterThan(0);

    const started = Date.now();
    const cut = (await raw(clip, remaining(MARGIN + Math.floor(fullMs / 5)))) as Result;

    expect(cut.statusCode).toBe(504);
    expect(sink.requests[1]).toMatchObject({ status: 504, deadline: 'inference' });
    expect(Date.now() - started).toBeLessThan(fullMs / 5 + 250);
  });
});
