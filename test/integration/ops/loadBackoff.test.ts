import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsSink } from '../../../lib/core/observability/PowertoolsSink';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { createLambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { httpApiEvent, type Result } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { tempDir } from '../../support/testHandler';
import { call, startTestServer, type Reply } from '../server/helpers';

/**
 * Issue 27, item 11: a model that cannot load is not tried again on every request. 100
 * unauthenticated readiness checks were 100 S3 GETs and 100 ERROR lines; now the first failure
 * is fetched once and logged once, every check until its backoff ends is a 503 with Retry-After
 * that fetches nothing and logs a warning, and the next check after it tries again. Counted at
 * the S3 protocol server's counting proxy and in the log lines; the backoff's clock is the test's
 * (vi's fake Date), never a wait.
 */
const BUCKET = 'models';
const KEY = 'ghost/1/model.onnx';
/** Never uploaded. */
const ABSENT = 'absent/1/model.onnx';
const CHECKS = 100;

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => s3?.close());
beforeEach(() => {
  s3.proxy.reset();
  // Only Date: timers, sockets and the SDK's retries run on real time.
  vi.useFakeTimers({ toFake: ['Date'] });
});
afterEach(() => vi.useRealTimers());

/** Requests the store saw for the model's object (GET or HEAD). */
const storeRequests = (key = KEY) => s3.proxy.requests.filter((r) => r.path.endsWith(`/${key}`)).length;
const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);
const levels = (lines: string[]) => lines.map((l) => (JSON.parse(l) as { level?: string }).level).filter((l) => l !== undefined);
const count = (items: Array<string | undefined>, value: string) => items.filter((i) => i === value).length;

function lambdaModel(name: string, uri: string) {
  const lines: string[] = [];
  let sessions = 0;
  const handler = createLambdaHandler(
    { name, uri, cacheDir: tempDir(), eager: false, session: { intraOpThreads: 1 }, limits: DEFAULT_LIMITS },
    {
      s3Client: s3.client,
      sink: new PowertoolsSink({ write: (line) => lines.push(line) }),
      events: { onSessionCreate: () => (sessions += 1) },
    },
  );
  const ready = async () => (await handler(httpApiEvent('GET', `/v2/models/${name}/ready`))) as Result;
  return { ready, lines, sessions: () => sessions };
}

describe('a model that cannot load, asked again and again', () => {
  it('is fetched once and logged as an error once per backoff by the Lambda handler, then fetched again', async () => {
    const model = lambdaModel('ghost', `s3://${BUCKET}/${KEY}`);

    const answers = [];
    for (let i = 0; i < CHECKS; i++) answers.push(await model.ready());

    expect(answers.map((a) => a.statusCode)).toEqual(new Array(CHECKS).fill(503));
    expect(storeRequests()).toBe(1);
    const logged = levels(model.lines);
    // The load's failure and the first request's 503; the other 99 only repeat it.
    expect([count(logged, 'ERROR'), count(logged, 'WARN')]).toEqual([2, CHECKS - 1]);
    expect(answers[0]?.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(answers[1]!.body).error).toMatch(
      /^model 'ghost' is unavailable: the fetch 0 s ago failed \(.*\); it is not fetched again for another 1 s$/,
    );

    // Past the backoff, one more fetch; it fails again, and the next wait doubles.
    advance(1_000);
    const again = await model.ready();
    expect([again.statusCode, again.headers?.['retry-after'], storeRequests()]).toEqual([503, '2', 2]);

    // The object arrives: the first check after the wait loads it.
    await s3.put(BUCKET, KEY, readFileSync(EXAMPLE_WEIGHTS.tiny as string));
    expect((await model.ready()).statusCode).toBe(503);
    advance(2_000);
    expect((await model.ready()).statusCode).toBe(200);
  });

  it('creates no second session for a graph onnxruntime refused until the backoff ends', async () => {
    const file = join(tempDir(), 'model.onnx');
    writeFileSync(file, 'not an ONNX graph');
    const model = lambdaModel('broken', file);

    for (let i = 0; i < CHECKS; i++) expect((await model.ready()).statusCode).toBe(503);

    expect(model.sessions()).toBe(1);
    expect(count(levels(model.lines), 'ERROR')).toBe(2);
    advance(1_000);
    await model.ready();
    expect(model.sessions()).toBe(2);
  });

  it("answers onnxless serve's readiness checks with one fetch and one error line per backoff", async () => {
    const server = await startTestServer({ models: { ghost: { weights: `s3://${BUCKET}/${ABSENT}` } } }, { s3Client: s3.client });
    // serve's request lines go to stdout (PowertoolsSink); count them there.
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(
        ...String(chunk)
          .split('\n')
          .filter((l) => l.startsWith('{"level"')),
      );
      return true;
    });
    try {
      const statuses = [];
      for (let i = 0; i < CHECKS; i++) statuses.push((await call(server.url, 'GET', '/v2/health/ready')).status);
      expect(statuses).toEqual(new Array(CHECKS).fill(503));
      expect(storeRequests(ABSENT)).toBe(1);
      expect([count(levels(written), 'ERROR'), count(levels(written), 'WARN')]).toEqual([1, CHECKS - 1]);
      advance(1_000);
      await call(server.url, 'GET', '/v2/health/ready');
      expect(storeRequests(ABSENT)).toBe(2);
    } finally {
      write.mockRestore();
      await server.drain(10_000);
    }
  });

  it("creates no second session in serve's worker threads for a graph onnxruntime refused until the backoff ends", async () => {
    // prepare: serve with a lazily loaded model whose file is no ONNX graph
    const file = join(tempDir(), 'model.onnx');
    writeFileSync(file, 'not an ONNX graph');
    const server = await startTestServer({ workers: 1, models: { broken: { weights: file, eager: false } } });
    try {
      // act: 20 readiness checks, then one more past the backoff
      const answers: Reply[] = [];
      for (let i = 0; i < 20; i++) answers.push(await call(server.url, 'GET', '/v2/models/broken/ready'));
      advance(1_000);
      const again = await call(server.url, 'GET', '/v2/models/broken/ready');

      // assess: the first check tried (its worker refused the graph); the next 19 repeat that
      // failure without a try, saying when the next one is; past the backoff one more try
      expect(answers.map((a) => a.status)).toEqual(new Array(20).fill(503));
      const tried = (a: Reply) => !/ago \(.*\); it is not tried again for another \d+ s/.test(a.json<{ error: string }>().error);
      expect(answers.filter(tried)).toHaveLength(1);
      expect(answers[0]!.json<{ error: string }>().error).toMatch(/onnxruntime could not load .*; it is not tried again for 1 s/);
      expect(answers[1]!.headers['retry-after']).toBe('1');
      expect(tried(again)).toBe(true);
      expect(again.json<{ error: string }>().error).toMatch(/it is not tried again for 2 s/);
    } finally {
      await server.drain(10_000);
    }
  });
});
