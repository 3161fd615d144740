import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createVoiceActivity } from '../../../lib/core/builtins/voiceActivity';
import { ROUTES } from '../../../lib/core/observability/records';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { createLambdaHandler, type LambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { httpApiEvent, type Result } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { stubBatchS3Env } from './batchS3Env';
import { RecordingSink } from '../../support/RecordingSink';
import { REAL_MODELS } from '../../support/realModels';
import { tempDir } from '../../support/testHandler';
import { SPEECH_WAV } from '../pipelines/models';
import { wavBytes } from '../../unit/processing/wavBytes';

/**
 * The batch event a Distributed Map child execution sends (ItemBatcher over an S3 listing), through
 * a model function's handler in process: real S3 protocol (s3rver behind the counting proxy),
 * real onnxruntime running Silero VAD.
 */
const BUCKET = 'data';
const INPUT = `s3://${BUCKET}/in/`;
const OUTPUT = `s3://${BUCKET}/out/`;

/** WAVs a user might have: the speech fixture, the same with silence before it, silences of several lengths. */
function goodInputs(): Record<string, Buffer> {
  const speech = readFileSync(SPEECH_WAV);
  const inputs: Record<string, Buffer> = { 'in/speech.wav': speech };
  for (let i = 1; i <= 3; i++) {
    inputs[`in/silence-${i}.wav`] = wavBytes({ rate: 16000, bits: 16, samples: Array.from({ length: 8000 * i }, () => [0]) });
  }
  inputs['in/nested/deeper/speech-copy.wav'] = speech;
  return inputs;
}

const CORRUPT: Record<string, Buffer> = {
  'in/truncated.wav': readFileSync(SPEECH_WAV).subarray(0, 30),
  'in/not-audio.wav': Buffer.from('this is a text file, not a WAV'),
  'in/empty.wav': Buffer.alloc(0),
  'in/unknown.bin': Buffer.from([1, 2, 3]),
};

describe('a Distributed Map batch event through a model function (in process)', () => {
  let s3: LocalS3;
  let handler: LambdaHandler;
  const sink = new RecordingSink();
  const good = goodInputs();

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    stubBatchS3Env(s3.endpoint);
    for (const [key, body] of Object.entries({ ...good, ...CORRUPT })) await s3.put(BUCKET, key, body);
    handler = createLambdaHandler(
      {
        name: 'vad',
        uri: `file://${REAL_MODELS.sileroVad}`,
        cacheDir: tempDir(),
        eager: false,
        session: { intraOpThreads: 1 },
        limits: DEFAULT_LIMITS,
      },
      { pipeline: createVoiceActivity(), sink },
    );
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await s3?.close();
  });

  /** The event as Step Functions builds it from a ListObjectsV2 page: quoted ETags, sizes, dates. */
  async function listedItems(keys: readonly string[]) {
    const items = [];
    for (const key of keys) {
      const head = await s3.setupClient.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      items.push({
        Key: key,
        Size: head.ContentLength,
        ETag: head.ETag,
        LastModified: head.LastModified?.toISOString(),
        StorageClass: 'STANDARD',
      });
    }
    return items;
  }

  async function outputOf(key: string): Promise<string> {
    const out = await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return out.Body!.transformToString();
  }

  it('writes each answer as the HTTP route answers it, records each failure with its reason, and skips what is done on a rerun', async () => {
    const keys = [...Object.keys(good), ...Object.keys(CORRUPT)];
    const event = { Items: [{ Key: 'in/', Size: 0 }, ...(await listedItems(keys))], BatchInput: { input: INPUT, output: OUTPUT } };

    s3.proxy.reset();
    const summary = (await handler(event, { awsRequestId: 'batch-1', getRemainingTimeInMillis: () => 600_000 })) as {
      succeeded: number;
      failed: number;
      skipped: number;
      failures: Array<{ key: string; error: string }>;
    };

    expect(summary.succeeded).toBe(Object.keys(good).length);
    expect(summary.skipped).toBe(0);
    expect(summary.failed).toBe(Object.keys(CORRUPT).length);
    const reasons = Object.fromEntries(summary.failures.map((f) => [f.key, f.error]));
    expect(Object.keys(reasons).sort()).toEqual(Object.keys(CORRUPT).sort());
    for (const key of ['in/truncated.wav', 'in/not-audio.wav', 'in/empty.wav']) expect(reasons[key]).toMatch(/^400: .*\S/);
    expect(reasons['in/unknown.bin']).toMatch(/^415: cannot tell what the object is/);
    // One PUT per answer, none for a failure; the model ran once per input that reached it.
    expect(s3.proxy.requests.filter((r) => r.method === 'PUT').length).toBe(Object.keys(good).length);

    for (const [key, body] of Object.entries(good)) {
      const http = (await handler(
        httpApiEvent('POST', '/models/vad/predict', { body, headers: { 'content-type': 'audio/wav' } }),
      )) as Result;
      expect(http.statusCode).toBe(200);
      expect(await outputOf(`out/${key.slice('in/'.length)}.json`)).toBe(http.body);
    }
    expect(JSON.parse(await outputOf('out/speech.wav.json'))).toMatchObject({ segments: [{ start: expect.any(Number) }] });

    // The same listing again: every answer records its input's ETag, so nothing runs and nothing is written.
    s3.proxy.reset();
    const runsBefore = sink.requests.filter((r) => r.route === ROUTES.predict).length;
    const rerun = (await handler(event, { awsRequestId: 'batch-2', getRemainingTimeInMillis: () => 600_000 })) as typeof summary;
    expect(rerun).toMatchObject({ succeeded: 0, skipped: Object.keys(good).length, failed: Object.keys(CORRUPT).length });
    expect(s3.proxy.requests.filter((r) => r.method === 'PUT').length).toBe(0);
    // The corrupt ones run again (nothing recorded them as done); the good ones do not.
    expect(sink.requests.filter((r) => r.route === ROUTES.predict).length - runsBefore).toBe(3);
  });

  it('runs an input again once it changed (a new ETag), writing its new answer', async () => {
    await s3.put(BUCKET, 'in/silence-1.wav', readFileSync(SPEECH_WAV));
    s3.proxy.reset();
    const summary = (await handler(
      { Items: await listedItems(['in/silence-1.wav', 'in/silence-2.wav']), BatchInput: { input: INPUT, output: OUTPUT } },
      { getRemainingTimeInMillis: () => 600_000 },
    )) as { succeeded: number; skipped: number };
    expect(summary).toMatchObject({ succeeded: 1, skipped: 1 });
    expect(JSON.parse(await outputOf('out/silence-1.wav.json')).segments.length).toBe(1);
  });

  it('takes a 403 on the HEAD of an answer (a role that may not list the bucket) as no answer yet, and writes it', async () => {
    s3.proxy.reset();
    s3.proxy.inject({ type: 'status', status: 403, code: 'AccessDenied' }, 1, (method) => method === 'HEAD');
    const summary = (await handler(
      { Items: await listedItems(['in/speech.wav']), BatchInput: { input: INPUT, output: 's3://data/out-403/' } },
      { getRemainingTimeInMillis: () => 600_000 },
    )) as { succeeded: number; failed: number };
    expect(summary).toMatchObject({ succeeded: 1, failed: 0 });
    expect(s3.proxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.status)).toEqual([403]);
    expect(s3.proxy.requests.filter((r) => r.method === 'PUT').length).toBe(1);
  });

  it('fails the invocation with a clear message when the output prefix is inside the input prefix, before reading anything', async () => {
    s3.proxy.reset();
    await expect(
      handler({ Items: [{ Key: 'in/speech.wav' }], BatchInput: { input: INPUT, output: `${INPUT}answers/` } }, {}),
    ).rejects.toThrow(/output prefix s3:\/\/data\/in\/answers\/ is inside the input prefix s3:\/\/data\/in\//);
    expect(s3.proxy.requests.length).toBe(0);
  });

  it('refuses a batch event of the wrong shape naming the field', async () => {
    await expect(handler({ Items: [{ Size: 3 }], BatchInput: { input: INPUT, output: OUTPUT } }, {})).rejects.toThrow(/Key/);
    await expect(handler({ Items: [], BatchInput: { input: 's3://data/in', output: OUTPUT } }, {})).rejects.toThrow(/must end in '\/'/);
  });

  it('fails the items it cannot start in time as not started, instead of being killed by the timeout', async () => {
    const summary = (await handler(
      { Items: await listedItems(['in/speech.wav']), BatchInput: { input: INPUT, output: 's3://data/elsewhere/' } },
      { getRemainingTimeInMillis: () => 1000 },
    )) as { failed: number; failures: Array<{ error: string }> };
    expect(summary.failed).toBe(1);
    expect(summary.failures[0]!.error).toMatch(/not started: the invocation's time ran out/);
  });
});
