import { spawn, type ChildProcess } from 'node:child_process';
import { CreateBucketCommand, GetObjectCommand, ListObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchInputs, type BatchInputs } from '../integration/batch/batchInputs';
import { LocalStackProcess, ROOT } from '../support/localStackProcess';
import { TEST_CREDENTIALS } from '../support/localS3';
import { tempDir } from '../support/testHandler';

/**
 * `onnxless batch --local` as a user runs it: the CLI as it ships, against `npm start` (its S3
 * server, serverless-offline's Lambda endpoint), the text-recognition example over rendered lines.
 *
 * ITEMS: the issue asks for 2,000; through the whole local stack on 2 cores that is minutes (the
 * first test alone took 128 s for 2,000 at a load average of 5, 136 s for 300 at 20; docs/batch.md).
 * The four tests took 33 s for 100 and 60 s for 200 at a load average of 6: the suite runs 200.
 * ONNXLESS_BATCH_TEST_ITEMS=2000 runs the count.
 */
const ITEMS = Number(process.env.ONNXLESS_BATCH_TEST_ITEMS ?? 200);
const CORRUPT = 20;
/** Ten minutes, or more for a hand run of thousands of items (0.6 s each: a slow, loaded box). */
const TEST_TIMEOUT_MS = Math.max(600_000, ITEMS * 600);
const BUCKET = 'batch-data';

const dir = tempDir('onnxless-batch-e2e-');
let stack: LocalStackProcess;
let s3: S3Client;
let inputs: BatchInputs;

interface Summary {
  succeeded: number;
  failed: number;
  skipped: number;
  failures: Array<{ key: string; error: string }>;
}

beforeAll(async () => {
  stack = await LocalStackProcess.create(join(dir, 'local'));
  [inputs] = await Promise.all([batchInputs(ITEMS, CORRUPT), stack.start()]);
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${stack.env.ONNXLESS_LOCAL_S3_PORT}`,
    forcePathStyle: true,
    credentials: TEST_CREDENTIALS,
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const entries = [...inputs.bodies];
  for (let i = 0; i < entries.length; i += 16) {
    await Promise.all(
      entries.slice(i, i + 16).map(([key, body]) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `in/${key}`, Body: body }))),
    );
  }
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await stack?.stop();
  stack?.dispose();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

function cli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/onnxless.mjs'), 'batch', ...args], {
    cwd: stack.serviceDir,
    env: { ...process.env, ...stack.env },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return { child, done: new Promise((resolve) => child.once('exit', (code) => resolve({ code, output }))) };
}

async function read(key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return out.Body!.transformToString();
}

async function listed(prefix: string): Promise<Map<string, { etag: string; modified: number }>> {
  const found = new Map<string, { etag: string; modified: number }>();
  // ListObjects v1: the local S3 server cannot page v2 listings (lib/tools/batch/listInputs.ts).
  let marker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: prefix, Marker: marker }));
    for (const o of page.Contents ?? []) found.set(o.Key!, { etag: o.ETag!, modified: o.LastModified!.getTime() });
    if (!page.IsTruncated || !page.Contents?.length) return found;
    marker = page.Contents.at(-1)!.Key;
  }
}

/** Requests the functions logged (JSON lines of the local stack) on the text-recognition domain route. */
function predictRuns(): number {
  return stack.output.split('\n').filter((l) => l.includes('"route":"/models/{model}/predict"') && l.includes('"model":"text-recognition"'))
    .length;
}

describe('onnxless batch --local', () => {
  it(
    `reads ${ITEMS} rendered lines into their answers (at least 98 % exactly), and fails the ${CORRUPT} corrupt ones each with its reason`,
    async () => {
      const { code, output } = await cli([
        'text-recognition',
        's3://batch-data/in/',
        's3://batch-data/out/',
        '--local',
        '--concurrency',
        '2',
        '--tolerated-failure-percent',
        '50',
      ]).done;
      expect(code, `${output.slice(-2000)}\nthe stack said:\n${stack.output.slice(-2000)}`).toBe(0);
      const summary = JSON.parse(await read('out/_SUMMARY.json')) as Summary;
      // Printed, as written.
      expect(output).toContain(JSON.stringify(summary, null, 2));
      expect([summary.succeeded, summary.failed, summary.skipped]).toEqual([ITEMS, CORRUPT, 0]);
      expect(new Set(summary.failures.map((f) => f.key))).toEqual(new Set([...inputs.corrupt.keys()].map((k) => `in/${k}`)));
      for (const f of summary.failures) expect(f.error).toMatch(/^400: \S/);

      let exact = 0;
      for (const [key, phrase] of inputs.lines) {
        const answer = JSON.parse(await read(`out/${key}.json`)) as { text: string; confidence: number };
        if (answer.text === phrase) exact++;
      }
      console.info(`batch --local: ${exact}/${ITEMS} lines read exactly`);
      expect(exact / ITEMS).toBeGreaterThanOrEqual(0.98);
      // The answer is the body the HTTP route gives for the same object.
      const [firstKey] = inputs.lines.keys();
      const http = await fetch(`${stack.baseUrl}/models/text-recognition/predict`, {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: inputs.bodies.get(firstKey!),
      });
      expect(await read(`out/${firstKey}.json`)).toBe(await http.text());
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'started again over the same prefixes, runs only the failed items, writes nothing, and exits 1 past the default 1 % tolerance',
    async () => {
      const runsBefore = predictRuns();
      const before = await listed('out/lines/');
      const { code, output } = await cli([
        'text-recognition',
        's3://batch-data/in/',
        's3://batch-data/out/',
        '--local',
        '--concurrency',
        '2',
      ]).done;
      expect(code, `${output.slice(-2000)}\nthe stack said:\n${stack.output.slice(-2000)}`).toBe(1);
      expect(output).toMatch(/% of the items failed, over the tolerated 1 %/);
      const summary = JSON.parse(await read('out/_SUMMARY.json')) as Summary;
      expect([summary.succeeded, summary.failed, summary.skipped]).toEqual([0, CORRUPT, ITEMS]);
      await stack.printed(/never/, 1000);
      expect(predictRuns() - runsBefore).toBe(CORRUPT);
      expect(await listed('out/lines/')).toEqual(before);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'killed half way and started again, runs and writes only the rest',
    async () => {
      const run = cli([
        'text-recognition',
        's3://batch-data/in/',
        's3://batch-data/half/',
        '--local',
        '--concurrency',
        '2',
        '--items-per-invocation',
        '5',
      ]);
      let exited = false;
      void run.done.then(() => (exited = true));
      while (!exited && (await listed('half/lines/')).size < ITEMS / 2) await new Promise((r) => setTimeout(r, 200));
      expect(exited, 'the run ended before it was killed').toBe(false);
      run.child.kill('SIGKILL');
      await run.done;
      // Invocations already in the functions finish on their own: wait until the writes stop.
      let written = await listed('half/lines/');
      for (;;) {
        await new Promise((r) => setTimeout(r, 1500));
        const now = await listed('half/lines/');
        if (now.size === written.size) break;
        written = now;
      }
      expect(written.size).toBeGreaterThanOrEqual(ITEMS / 2);
      expect(written.size).toBeLessThan(ITEMS);
      const runsBefore = predictRuns();

      const { code, output } = await cli([
        'text-recognition',
        's3://batch-data/in/',
        's3://batch-data/half/',
        '--local',
        '--concurrency',
        '2',
        '--tolerated-failure-percent',
        '50',
      ]).done;
      expect(code, `${output.slice(-2000)}\nthe stack said:\n${stack.output.slice(-2000)}`).toBe(0);
      const summary = JSON.parse(await read('half/_SUMMARY.json')) as Summary;
      expect([summary.succeeded, summary.skipped, summary.failed]).toEqual([ITEMS - written.size, written.size, CORRUPT]);
      await stack.printed(/never/, 1000);
      // The model ran once per answer still missing and per corrupt object; the answers there were not rewritten.
      expect(predictRuns() - runsBefore).toBe(ITEMS - written.size + CORRUPT);
      const after = await listed('half/lines/');
      expect(after.size).toBe(ITEMS);
      for (const [key, first] of written) expect(after.get(key)).toEqual(first);
    },
    TEST_TIMEOUT_MS,
  );

  it('refuses an output prefix inside the input prefix before anything runs, and names a missing bucket or an empty prefix', async () => {
    const runsBefore = predictRuns();
    const inside = await cli(['text-recognition', 's3://batch-data/in/', 's3://batch-data/in/answers/', '--local']).done;
    expect(inside.code).toBe(1);
    expect(inside.output).toMatch(/the output prefix s3:\/\/batch-data\/in\/answers\/ is inside the input prefix s3:\/\/batch-data\/in\//);
    const noBucket = await cli(['text-recognition', 's3://no-such-bucket/in/', 's3://batch-data/x/', '--local']).done;
    expect(noBucket.code).toBe(1);
    expect(noBucket.output).toMatch(/the input bucket 'no-such-bucket' does not exist/);
    const noPrefix = await cli(['text-recognition', 's3://batch-data/nothing-here/', 's3://batch-data/x/', '--local']).done;
    expect(noPrefix.code).toBe(1);
    expect(noPrefix.output).toMatch(/no objects under the input prefix s3:\/\/batch-data\/nothing-here\//);
    const noModel = await cli(['no-such-model', 's3://batch-data/in/', 's3://batch-data/x/', '--local']).done;
    expect(noModel.code).toBe(1);
    expect(noModel.output).toMatch(/no model 'no-such-model' in serverless.yml; models: .*text-recognition/);
    expect(await listed('x/')).toEqual(new Map());
    expect(predictRuns()).toBe(runsBefore);
  }, 120_000);
});
