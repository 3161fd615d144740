import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLambdaHandler, type InvocationContext } from '../../../lib/lambda/createLambdaHandler';
import { RecordingSink } from '../../support/RecordingSink';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { createS3Client, type S3Timeouts } from '../../../lib/core/sources/s3Client';
import type { S3Transport } from '../../../lib/core/sources/S3ModelSource';
import { SignedS3Reader } from '../../../lib/core/sources/SignedS3Reader';
import { httpApiEvent, type Result } from '../../support/httpApiEvent';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../../support/localS3';
import type { Fault } from '../../support/S3FaultProxy';
import { REAL_MODELS } from '../../support/realModels';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'models';
// A fresh key per test: a stopped load's last SDK request can still land a moment later
// (the source's GET takes no abort signal), and must not count against the next test.
let KEY = 'text-orientation/model.onnx';
let keys = 0;
const bytes = readFileSync(REAL_MODELS.textOrientation);
const sha = createHash('sha256').update(bytes).digest('hex');
const MARGIN = 1500;

/** One line of the figures table printed at the end (and copied into docs/operations.md). */
interface Figure {
  fault: string;
  injected: number;
  outcome: string;
  gets: number;
  fetchedTwice: number;
  ms: number;
  cacheOk: boolean;
}
const figures: Figure[] = [];

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
});
afterAll(async () => {
  await s3?.close();
  console.log(`load-path faults (${bytes.length} byte model):\n${figures.map((f) => JSON.stringify(f)).join('\n')}`);
});
beforeEach(async () => {
  KEY = `faults/${++keys}/model.onnx`;
  await s3.put(BUCKET, KEY, bytes);
  s3.proxy.reset();
});

/**
 * The two ways a handler reads S3, each through every fault: the signed GET that Lambda
 * functions use (the environment's credentials) and the AWS SDK's client (`serve`, the CLI).
 */
const TRANSPORTS: Record<string, (timeouts?: S3Timeouts) => S3Transport> = {
  'signed GET (Lambda)': (timeouts) =>
    new SignedS3Reader({ region: 'us-east-1', endpoint: s3.endpoint, credentials: () => ({ ...TEST_CREDENTIALS }), timeouts }),
  'AWS SDK client': (timeouts) => createS3Client({ AWS_ENDPOINT_URL_S3: s3.endpoint }, timeouts),
};
let transportName = 'signed GET (Lambda)';

function handler(options: { timeouts?: S3Timeouts; cacheDir?: string } = {}) {
  const sink = new RecordingSink();
  const cacheDir = options.cacheDir ?? tempDir();
  const raw = createLambdaHandler(
    {
      name: 'cls',
      uri: `s3://${BUCKET}/${KEY}`,
      sha256: sha,
      cacheDir,
      eager: false,
      session: { intraOpThreads: 1 },
      limits: DEFAULT_LIMITS,
      safetyMarginMs: MARGIN,
    },
    { s3Client: TRANSPORTS[transportName]!(options.timeouts), sink },
  );
  return {
    sink,
    cacheDir,
    ready: async (budgetMs: number) => (await raw(httpApiEvent('GET', '/v2/models/cls/ready'), remaining(budgetMs + MARGIN))) as Result,
  };
}

function remaining(ms: number): InvocationContext {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}

/** Body bytes the proxy delivered beyond one copy of the object. */
function fetchedTwice(): number {
  return s3.proxy.gets(KEY).reduce((n, g) => n + g.bodyBytes, 0) - bytes.length;
}

/** Every file at the model's cache path is the verified object (partials and sidecars may exist beside it). */
function cacheIsClean(dir: string): boolean {
  for (const sub of existsSync(dir) ? readdirSync(dir) : []) {
    for (const name of readdirSync(join(dir, sub))) {
      if (name !== 'model.onnx') continue;
      if (
        createHash('sha256')
          .update(readFileSync(join(dir, sub, name)))
          .digest('hex') !== sha
      )
        return false;
    }
  }
  return true;
}

async function runFault(name: string, fault: Fault, times: number, options: { budgetMs?: number; timeouts?: S3Timeouts } = {}) {
  const key = KEY;
  s3.proxy.inject(fault, times, (method, path) => method === 'GET' && path.endsWith(`/${key}`));
  const h = handler({ timeouts: options.timeouts });
  const started = Date.now();
  const result = await h.ready(options.budgetMs ?? 25_000);
  const ms = Date.now() - started;
  const gets = s3.proxy.gets(KEY);
  const figure: Figure = {
    fault: name,
    injected: gets.filter((g) => g.fault !== undefined).length,
    outcome: result.statusCode === 200 ? `200 after ${gets.length} GETs` : `${result.statusCode} in ${ms} ms`,
    gets: gets.length,
    fetchedTwice: result.statusCode === 200 ? fetchedTwice() : 0,
    ms,
    cacheOk: cacheIsClean(h.cacheDir),
  };
  figures.push({ ...figure, fault: `${name} [${transportName}]` });
  return { result, ms, figure, h };
}

describe.each(Object.keys(TRANSPORTS))('faults injected between the handler and S3, through the %s', (name) => {
  beforeAll(() => {
    transportName = name;
  });

  it('latency: 1.5 s before the first byte, then success with one GET', async () => {
    const { result, ms, figure } = await runFault('latency 1.5 s', { type: 'latency', ms: 1500 }, 1);
    expect(result.statusCode).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(1500);
    expect(figure).toMatchObject({ gets: 1, fetchedTwice: 0, cacheOk: true });
  });

  it('a burst of five 503 SlowDown: retried with backoff, success, nothing fetched twice', async () => {
    const { result, figure } = await runFault('5 x 503 SlowDown', { type: 'status', status: 503 }, 5);
    expect(result.statusCode).toBe(200);
    expect(
      s3.proxy
        .gets(KEY)
        .map((g) => g.status)
        .slice(0, 5),
    ).toEqual([503, 503, 503, 503, 503]);
    expect(figure).toMatchObject({ fetchedTwice: 0, cacheOk: true });
  });

  it('an endless burst of 503 SlowDown: 503 with Retry-After within the 3 s budget, nothing cached', async () => {
    const { result, ms, figure } = await runFault('503 SlowDown, never ending', { type: 'status', status: 503 }, 10_000, {
      budgetMs: 3000,
    });
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBeDefined();
    // In time: well before the endless retries (10,000 faults, with backoff) would end. The
    // margin is wide on purpose: a loaded 2-core CI box delays timers by hundreds of ms.
    expect(ms).toBeLessThan(2 * 3000);
    expect(figure.cacheOk).toBe(true);
  });

  it('a connection reset 200 KB into the body: resumed with a ranged GET', async () => {
    const { result, figure } = await runFault('reset at 200 KB', { type: 'reset', afterBytes: 200_000 }, 1);
    expect(result.statusCode).toBe(200);
    expect(figure.gets).toBe(2);
    expect(s3.proxy.gets(KEY)[1]?.range).toMatch(/^bytes=\d+-\d+$/);
    // What sat unread in socket buffers when the connection died is lost and fetched again;
    // never more than the cut connection delivered.
    expect(figure.fetchedTwice).toBeLessThanOrEqual(200_000);
    expect(figure.cacheOk).toBe(true);
  });

  it('three resets in a row, each 100 KB in: every attempt resumes where the last stopped', async () => {
    const { result, figure } = await runFault('3 x reset at 100 KB', { type: 'reset', afterBytes: 100_000 }, 3);
    expect(result.statusCode).toBe(200);
    expect(figure.gets).toBeGreaterThanOrEqual(4);
    expect(figure.fetchedTwice).toBeLessThanOrEqual(3 * 100_000);
    // Every retry asks only for what is missing: never further back than the one before.
    const starts = s3.proxy.gets(KEY).map((g) => Number(/^bytes=(\d+)-/.exec(g.range ?? '')?.[1] ?? 0));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(figure.cacheOk).toBe(true);
  });

  it('a body cut short (FIN) at 300 KB: resumed', async () => {
    const { result, figure } = await runFault('truncated at 300 KB', { type: 'truncate', afterBytes: 300_000 }, 1);
    expect(result.statusCode).toBe(200);
    expect(figure).toMatchObject({ gets: 2, cacheOk: true });
    expect(figure.fetchedTwice).toBeLessThanOrEqual(300_000);
  });

  it('a stall of 6 s after 100 KB: the 1 s idle timeout cuts it, the load resumes and does not hang', async () => {
    const { result, ms, figure } = await runFault(
      'stall 6 s at 100 KB (idle timeout 1 s)',
      { type: 'stall', afterBytes: 100_000, ms: 6000 },
      1,
      {
        timeouts: { idleMs: 1000 },
      },
    );
    expect(result.statusCode).toBe(200);
    expect(ms).toBeLessThan(4000);
    expect(figure.gets).toBe(2);
    expect(figure.fetchedTwice).toBeLessThanOrEqual(100_000);
    expect(figure.cacheOk).toBe(true);
  });

  it('a stall longer than the budget: 503 in time, and the next invocation completes without starting over', async () => {
    const { result, ms, figure, h } = await runFault(
      'stall 8 s at 300 KB, 1 s budget',
      { type: 'stall', afterBytes: 300_000, ms: 8000 },
      1,
      {
        budgetMs: 1000,
        timeouts: { idleMs: 2000 },
      },
    );
    expect(result.statusCode).toBe(503);
    // At the budget, not at the end of the 8 s stall (a loaded CI box delays timers: wide margin).
    expect(ms).toBeLessThan(4000);
    expect(figure.cacheOk).toBe(true);
    // The download was stopped, not left running into a frozen sandbox, and its bytes kept.
    await vi.waitFor(() => expect(h.sink.loads[0]).toMatchObject({ outcome: 'aborted' }));
    const kept = h.sink.loads[0]?.keptBytes ?? 0;
    expect(kept).toBeGreaterThan(0);

    const nextStarted = Date.now();
    const next = await h.ready(25_000);
    const nextMs = Date.now() - nextStarted;

    expect(next.statusCode).toBe(200);
    const twice = fetchedTwice();
    figures.push({
      ...figure,
      fault: `${figure.fault}: next invocation`,
      outcome: `200 after ${s3.proxy.gets(KEY).length} GETs`,
      gets: s3.proxy.gets(KEY).length,
      fetchedTwice: twice,
      ms: nextMs,
      cacheOk: cacheIsClean(h.cacheDir),
    });
    // The aborted load kept what it had received; the retry fetched only the rest.
    expect(twice).toBeLessThanOrEqual(300_000);
    expect(s3.proxy.gets(KEY)[1]?.range).toMatch(new RegExp(`^bytes=${kept}-`));
    expect(h.sink.loads[1]).toMatchObject({ outcome: 'loaded', resumedBytes: kept });
    expect(cacheIsClean(h.cacheDir)).toBe(true);
  });
});
