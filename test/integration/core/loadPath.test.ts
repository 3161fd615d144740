import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createS3Client } from '../../../lib/core/sources/s3Client';
import { httpApiEvent, jsonBody } from '../../support/httpApiEvent';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../../support/localS3';
import { REAL_MODELS } from '../../support/realModels';
import { tempDir, testHandler } from '../../support/testHandler';

const BUCKET = 'models';
const CLS_KEY = 'text-orientation/1/model.onnx';
const VAD_KEY = 'voice-activity/1/model.onnx';
const clsBytes = readFileSync(REAL_MODELS.textOrientation);
const clsSha = createHash('sha256').update(clsBytes).digest('hex');

let s3: LocalS3;
let client: ReturnType<typeof createS3Client>;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  await s3.put(BUCKET, CLS_KEY, clsBytes);
  await s3.put(BUCKET, VAD_KEY, readFileSync(REAL_MODELS.sileroVad));
  // Configured the standard way: endpoint and credentials from the environment.
  client = createS3Client({
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_REGION: 'us-east-1',
  });
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
});
afterAll(async () => s3?.close());
beforeEach(() => s3.proxy.reset());

function clsInput(seed: number): number[] {
  const data: number[] = [];
  for (let i = 0; i < 3 * 48 * 192; i++) data.push(Math.sin(i * 0.37 + seed) * 0.8);
  return data;
}

function inferEvent(model: string, data: number[]) {
  return httpApiEvent('POST', `/v2/models/${model}/infer`, {
    body: JSON.stringify({ id: 'r1', inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data }] }),
  });
}

describe('loading a model from S3', () => {
  it('answers an infer request with exactly what a direct session.run gives', async () => {
    const { handler } = testHandler({ name: 'text-orientation', uri: `s3://${BUCKET}/${CLS_KEY}` }, { s3Client: client });
    const data = clsInput(1);

    const result = await handler(inferEvent('text-orientation', data));

    expect(result.statusCode).toBe(200);
    const body = jsonBody(result);
    expect(body.id).toBe('r1');
    expect(body.model_name).toBe('text-orientation');
    const direct = await InferenceSession.create(REAL_MODELS.textOrientation);
    const expected = await direct.run({ x: new Tensor('float32', Float32Array.from(data), [1, 3, 48, 192]) });
    const out = expected['softmax_0.tmp_0'] as Tensor;
    expect(body.outputs[0].shape).toEqual([...out.dims]);
    const got = body.outputs[0].data as number[];
    Array.from(out.data as Float32Array).forEach((v, i) => expect(Math.abs((got[i] as number) - v)).toBeLessThanOrEqual(1e-6));
  });

  it('serves Silero VAD (three inputs, an int64 scalar among them) like a direct run', async () => {
    const { handler } = testHandler({ name: 'vad', uri: `s3://${BUCKET}/${VAD_KEY}` }, { s3Client: client });
    const audio = Array.from({ length: 512 }, (_, i) => Math.sin(i / 5) * 0.3);
    const state = new Array(2 * 128).fill(0);
    const result = await handler(
      httpApiEvent('POST', '/v2/models/vad/infer', {
        body: JSON.stringify({
          inputs: [
            { name: 'input', shape: [1, 512], datatype: 'FP32', data: audio },
            { name: 'state', shape: [2, 1, 128], datatype: 'FP32', data: state },
            { name: 'sr', shape: [], datatype: 'INT64', data: [16000] },
          ],
          outputs: [{ name: 'output' }],
        }),
      }),
    );
    expect(result.statusCode).toBe(200);
    const body = jsonBody(result);
    expect(body.outputs.map((o: { name: string }) => o.name)).toEqual(['output']);
    const direct = await InferenceSession.create(REAL_MODELS.sileroVad);
    const expected = await direct.run({
      input: new Tensor('float32', Float32Array.from(audio), [1, 512]),
      state: new Tensor('float32', new Float32Array(256), [2, 1, 128]),
      sr: new Tensor('int64', BigInt64Array.from([16000n]), []),
    });
    const want = (expected.output as Tensor).data as Float32Array;
    expect(Math.abs(body.outputs[0].data[0] - (want[0] as number))).toBeLessThanOrEqual(1e-6);
  });

  it('shares one download and one session among 50 concurrent first requests', async () => {
    const { handler, sessions } = testHandler({ name: 'cls', uri: `s3://${BUCKET}/${CLS_KEY}` }, { s3Client: client });

    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => handler(inferEvent('cls', clsInput(i % 3)))));

    expect(results.map((r) => r.statusCode)).toEqual(new Array(50).fill(200));
    expect(s3.proxy.gets(CLS_KEY)).toHaveLength(1);
    expect(sessions()).toBe(1);
  });

  it('reuses the cache on a second cold start without fetching the body again', async () => {
    const cacheDir = tempDir();
    const uri = `s3://${BUCKET}/${CLS_KEY}`;
    const first = testHandler({ name: 'cls', uri, cacheDir }, { s3Client: client });
    expect((await first.handler(httpApiEvent('GET', '/v2/models/cls/ready'))).statusCode).toBe(200);
    expect(s3.proxy.gets(CLS_KEY)).toHaveLength(1);
    s3.proxy.reset();

    // A fresh module instance in the same sandbox: same cache directory, new loader.
    const second = testHandler({ name: 'cls', uri, cacheDir }, { s3Client: createS3Client({ AWS_ENDPOINT_URL_S3: s3.endpoint }) });
    const result = await second.handler(inferEvent('cls', clsInput(2)));

    expect(result.statusCode).toBe(200);
    expect(s3.proxy.gets(CLS_KEY)).toHaveLength(0);
    // Unpinned: one HEAD checks the ETag is still current.
    expect(s3.proxy.requests.filter((r) => r.method === 'HEAD')).toHaveLength(1);
  });

  it('makes no request at all on a second cold start when the sha256 is pinned', async () => {
    const cacheDir = tempDir();
    const config = { name: 'cls', uri: `s3://${BUCKET}/${CLS_KEY}`, cacheDir, sha256: clsSha };
    await testHandler(config, { s3Client: client }).handler(httpApiEvent('GET', '/v2/models/cls/ready'));
    s3.proxy.reset();

    const result = await testHandler(config, { s3Client: client }).handler(httpApiEvent('GET', '/v2/models/cls/ready'));

    expect(result.statusCode).toBe(200);
    expect(s3.proxy.requests).toHaveLength(0);
  });

  it('downloads again when the object changed since it was cached', async () => {
    const cacheDir = tempDir();
    const key = 'changing/model.onnx';
    await s3.put(BUCKET, key, readFileSync(REAL_MODELS.sileroVad));
    const config = { name: 'm', uri: `s3://${BUCKET}/${key}`, cacheDir };
    await testHandler(config, { s3Client: client }).handler(httpApiEvent('GET', '/v2/models/m/ready'));
    await s3.put(BUCKET, key, clsBytes);
    s3.proxy.reset();

    const result = await testHandler(config, { s3Client: client }).handler(httpApiEvent('GET', '/v2/models/m'));

    expect(result.statusCode).toBe(200);
    expect(jsonBody(result).inputs[0].name).toBe('x');
    expect(s3.proxy.gets(key)).toHaveLength(1);
  });

  it('replaces a cached file that was truncated or rewritten behind its record', async () => {
    const cacheDir = tempDir();
    const config = { name: 'cls', uri: `s3://${BUCKET}/${CLS_KEY}`, cacheDir, sha256: clsSha };
    const first = testHandler(config, { s3Client: client });
    await first.handler(httpApiEvent('GET', '/v2/models/cls/ready'));
    const cached = cachedModelFiles(cacheDir)[0] as string;
    const { truncateSync } = await import('node:fs');
    truncateSync(cached, 1000);
    s3.proxy.reset();

    const result = await testHandler(config, { s3Client: client }).handler(inferEvent('cls', clsInput(0)));

    expect(result.statusCode).toBe(200);
    expect(s3.proxy.gets(CLS_KEY)).toHaveLength(1);
    expect(sha256(readFileSync(cached))).toBe(clsSha);
  });

  it('loads at init when eager, so the first request finds the session warm', async () => {
    const { handler, sessions } = testHandler({ name: 'cls', uri: `s3://${BUCKET}/${CLS_KEY}`, eager: true }, { s3Client: client });
    await waitFor(() => sessions() === 1);
    expect(s3.proxy.gets(CLS_KEY)).toHaveLength(1);

    const result = await handler(inferEvent('cls', clsInput(0)));

    expect(result.statusCode).toBe(200);
    expect(s3.proxy.gets(CLS_KEY)).toHaveLength(1);
    expect(sessions()).toBe(1);
  });

  it('serves a local file:// model without any S3 call', async () => {
    const { handler } = testHandler({ name: 'local', uri: `file://${REAL_MODELS.textOrientation}` });
    const result = await handler(httpApiEvent('GET', '/v2/models/local'));
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toMatchObject({ name: 'local', platform: 'onnxruntime_onnx' });
    expect(s3.proxy.requests).toHaveLength(0);
  });
});

describe('faults on the load path', () => {
  const uri = `s3://${BUCKET}/${CLS_KEY}`;

  it('succeeds after S3 answers 500 to the first attempts', async () => {
    s3.proxy.inject({ type: 'status', status: 500 }, 2);
    const { handler } = testHandler({ name: 'cls', uri, sha256: clsSha }, { s3Client: client });

    const result = await handler(inferEvent('cls', clsInput(0)));

    expect(result.statusCode).toBe(200);
    // The cache's first GET asks for the first part (a 206 carrying the whole small object).
    const statuses = s3.proxy.gets(CLS_KEY).map((r) => r.status);
    expect(statuses.slice(0, 2)).toEqual([500, 500]);
    expect(statuses.slice(2).map((s) => s >= 200 && s < 300)).toEqual([true]);
  });

  it.each(['reset', 'truncate'] as const)('resumes with a ranged GET after a %s mid-body, fetching no byte twice', async (type) => {
    s3.proxy.inject({ type, afterBytes: 200_000 }, 1);
    const cacheDir = tempDir();
    const { handler } = testHandler({ name: 'cls', uri, sha256: clsSha, cacheDir }, { s3Client: client });

    const result = await handler(inferEvent('cls', clsInput(0)));

    expect(result.statusCode).toBe(200);
    const gets = s3.proxy.gets(CLS_KEY);
    expect(gets).toHaveLength(2);
    // The resume starts where the bytes this side had consumed end: what was still in socket
    // buffers when the connection died is lost, as with any client, and fetched a second time.
    const resumedFrom = Number(/^bytes=(\d+)-(\d+)$/.exec(gets[1]?.range ?? '')?.[1]);
    expect(gets[1]?.range).toBe(`bytes=${resumedFrom}-${clsBytes.length - 1}`);
    expect(gets[1]?.bodyBytes).toBe(clsBytes.length - resumedFrom);
    const fetchedTwice = (gets[0]?.bodyBytes ?? 0) - resumedFrom;
    expect(fetchedTwice).toBeGreaterThanOrEqual(0);
    expect(fetchedTwice).toBeLessThan(64 * 1024);
    expect(sha256(readFileSync(cachedModelFiles(cacheDir)[0] as string))).toBe(clsSha);
  });

  it('answers 503 when every attempt is cut short, leaves no cache file, and succeeds once the fault clears', async () => {
    s3.proxy.inject({ type: 'reset', afterBytes: 0 }, 100);
    const cacheDir = tempDir();
    const { handler, sessions } = testHandler({ name: 'cls', uri, cacheDir }, { s3Client: client });

    const failed = await handler(inferEvent('cls', clsInput(0)));

    expect(failed.statusCode).toBe(503);
    // The key itself is redacted from a 5xx (it stays in the log record).
    expect(jsonBody(failed).error).toContain("model 'cls' could not be fetched");
    expect(failed.headers?.['retry-after']).toBe('1');
    expect(cachedModelFiles(cacheDir)).toEqual([]);
    expect(sessions()).toBe(0);

    s3.proxy.clearFaults();
    // Until the failure's backoff ends the model is not fetched again (loadBackoff.test.ts);
    // the clock is moved past it, not waited for.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 1_000);
      const recovered = await handler(inferEvent('cls', clsInput(0)));
      expect(recovered.statusCode).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses weights whose sha256 does not match the pin: 503, nothing cached, nothing loaded, and backs off', async () => {
    const cacheDir = tempDir();
    const wrong = 'a'.repeat(64);
    const { handler, sessions } = testHandler({ name: 'cls', uri, cacheDir, sha256: wrong }, { s3Client: client });

    const result = await handler(inferEvent('cls', clsInput(0)));

    expect(result.statusCode).toBe(503);
    expect(jsonBody(result).error).toMatch(/failed verification: .*sha256 is .*, expected .*; it is not fetched again for 10 s/);
    expect(result.headers?.['retry-after']).toBe('10');
    expect(cachedModelFiles(cacheDir)).toEqual([]);
    expect(sessions()).toBe(0);
    // Backed off: the next request is a 503 that says so, with no second download of the weights.
    const again = await handler(inferEvent('cls', clsInput(0)));
    expect(again.statusCode).toBe(503);
    expect(jsonBody(again).error).toMatch(/failed its sha256 pin \d+ s ago .*not fetched again for another \d+ s/);
    expect(Number(again.headers?.['retry-after'])).toBeGreaterThan(0);
    expect(s3.proxy.gets(CLS_KEY)).toHaveLength(1);
  });

  it('answers 503 naming the model for a missing object, and never leaks credentials or the key', async () => {
    const { handler } = testHandler({ name: 'ghost', uri: `s3://${BUCKET}/nope/model.onnx` }, { s3Client: client });

    const result = await handler(httpApiEvent('GET', '/v2/models/ghost/ready'));

    expect(result.statusCode).toBe(503);
    const { error } = jsonBody(result);
    expect(error).toContain("model 'ghost' is unavailable");
    expect(error).not.toContain('nope/model.onnx');
    expect(error).not.toContain(TEST_CREDENTIALS.secretAccessKey);
  });

  it('answers 503 for access denied', async () => {
    s3.proxy.inject({ type: 'status', status: 403, code: 'AccessDenied' }, 1);
    const { handler } = testHandler({ name: 'cls', uri }, { s3Client: client });
    const result = await handler(httpApiEvent('GET', '/v2/models/cls/ready'));
    expect(result.statusCode).toBe(503);
    expect(jsonBody(result).error).toContain('denied');
  });
});

async function waitFor(condition: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function cachedModelFiles(dir: string): string[] {
  const out: string[] = [];
  for (const sub of existsSync(dir) ? readdirSync(dir) : []) {
    // The models as fetched; not this machine's optimised graphs kept beside them (hidden, `.machine-`).
    for (const name of readdirSync(join(dir, sub))) if (name.endsWith('.onnx') && !name.startsWith('.')) out.push(join(dir, sub, name));
  }
  return out;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
