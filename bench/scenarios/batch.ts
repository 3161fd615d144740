import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createTextRecognition } from '../../lib/core/builtins/textRecognition';
import { DEFAULT_LIMITS } from '../../lib/core/protocol/limits';
import { createLambdaHandler, type LambdaHandler } from '../../lib/lambda/createLambdaHandler';
import type { BatchSummary } from '../../lib/core/batch/BatchSummary';
import { RecordingSink } from '../../test/support/RecordingSink';
import { join } from 'node:path';
import { EXAMPLE_MODELS } from '../../lib/tools/local/exampleWeights';
import { startServe } from '../server/serveProcess';
import type { BatchEvent, BatchItem } from '../../lib/core/batch/BatchEvent';
import { splitS3Prefix } from '../../lib/core/registry/batch';
import { lambdaInvoker, localLambdaClient } from '../../lib/tools/batch/lambdaInvoker';
import { listInputs } from '../../lib/tools/batch/listInputs';
import { runLocalBatch } from '../../lib/tools/batch/runLocalBatch';
import { batchInputs } from '../../test/integration/batch/batchInputs';
import { LocalStackProcess } from '../../test/support/localStackProcess';
import { TEST_CREDENTIALS } from '../../test/support/localS3';
import { row, side, type Log, type Row } from '../lib/rows';
import type { World } from '../lib/world';

const ITEMS = 200;
const DATA = 'batch-bench';
/** The executor's settings: 2 invocations at once on this 2-core box, 20 items each (the registry's default batch size). */
const CONCURRENCY = 2;
const ITEMS_PER_INVOCATION = 20;
/** Stacked model runs to compare with one at a time (ONNXLESS_BATCH_ITEMS_PER_RUN). */
const ITEMS_PER_RUN = [2, 6];

/** The text-recognition model directory (model.onnx and its dictionary) under `dir`. */
function modelDir(dir: string): string {
  const modelDir = join(dir, 'text-recognition');
  mkdirSync(modelDir, { recursive: true });
  for (const file of EXAMPLE_MODELS['text-recognition']!) copyFileSync(file.from, join(modelDir, file.path));
  return modelDir;
}

/**
 * The text-recognition function's handler in this process, its model runs stacked `itemsPerRun`
 * items at a time: the function code the stack runs, without serverless-offline around it, so
 * two settings compare in one run.
 */
function inProcessFunction(dir: string, itemsPerRun: number): LambdaHandler {
  return createLambdaHandler(
    {
      name: 'text-recognition',
      uri: `file://${dir}`,
      cacheDir: join(dir, `cache-${itemsPerRun}`),
      eager: false,
      session: {},
      limits: DEFAULT_LIMITS,
      batchItemsPerRun: itemsPerRun,
    },
    { pipeline: createTextRecognition(), sink: new RecordingSink() },
  );
}

/** serve's config: the text-recognition model directory (model.onnx and its dictionary), its pipeline. */
function serveConfig(dir: string): string {
  const config = {
    port: 0,
    host: '127.0.0.1',
    cacheDir: join(dir, 'cache'),
    modelDir: join(dir, 'no-model-dir'),
    models: { 'text-recognition': { weights: modelDir(dir), pipeline: 'textRecognition' } },
  };
  writeFileSync(join(dir, 'serve.json'), JSON.stringify(config));
  return join(dir, 'serve.json');
}

/**
 * Issue 28 (docs/batch.md): text-recognition over 200 rendered lines in the local stack's bucket,
 * on `npm start`:
 * - the embedded batch executor (`onnxless batch --local`'s: 20 items per invocation through
 *   serverless-offline's Lambda endpoint, 2 at once);
 * - a client doing the same work over the HTTP route one item at a time: GET the object from S3,
 *   POST it to /models/text-recognition/predict, PUT the answer.
 * Same stack, same run, alternating. Target: the executor at least 3x the items per second. Then
 * the function's handler in this process, its model runs one item at a time against stacked
 * (ONNXLESS_BATCH_ITEMS_PER_RUN): the time per item one at a time is the figure the cost table
 * uses (a Lambda instance runs one invocation at a time).
 */
export async function batchScenario(world: World, reps: number, log: Log): Promise<Row[]> {
  const stack = await LocalStackProcess.create(join(world.scratch(), 'local'));
  const [inputs] = await Promise.all([batchInputs(ITEMS, 0), stack.start()]);
  try {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${stack.env.ONNXLESS_LOCAL_S3_PORT}`,
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    await s3.send(new CreateBucketCommand({ Bucket: DATA }));
    for (const [key, body] of inputs.bodies) await s3.send(new PutObjectCommand({ Bucket: DATA, Key: `in/${key}`, Body: body }));
    const input = splitS3Prefix(`s3://${DATA}/in/`);
    const items = await listInputs(s3, input);
    const lambda = localLambdaClient(`http://127.0.0.1:${stack.env.ONNXLESS_LOCAL_LAMBDA_PORT}`, TEST_CREDENTIALS, 'us-east-1');
    const invoke = lambdaInvoker(lambda, 'onnxless-dev-text-recognition');

    const executorRun = async (output: string): Promise<{ msPerItem: number; functionMsPerItem: number }> => {
      let functionMs = 0;
      const timed = async (event: BatchEvent) => {
        const started = performance.now();
        try {
          return await invoke(event);
        } finally {
          functionMs += performance.now() - started;
        }
      };
      const started = performance.now();
      const summary = await runLocalBatch({
        input,
        output: splitS3Prefix(output),
        items,
        invoke: timed,
        concurrency: CONCURRENCY,
        itemsPerInvocation: ITEMS_PER_INVOCATION,
      });
      if (summary.succeeded !== ITEMS)
        throw new Error(
          `the executor answered ${summary.succeeded}/${ITEMS}: ${JSON.stringify(summary.failures.slice(0, 3))}\nthe stack said:\n${stack.output.slice(-3000)}`,
        );
      return { msPerItem: (performance.now() - started) / ITEMS, functionMsPerItem: functionMs / ITEMS };
    };
    /** GET each object, POST it to `base`'s domain route, PUT the answer: `clients` loops sharing the list. */
    const clientRun = async (base: string, output: string, clients = 1): Promise<number> => {
      const started = performance.now();
      let next = 0;
      const loop = async () => {
        while (next < items.length) {
          const item = items[next++]!;
          const got = await s3.send(new GetObjectCommand({ Bucket: DATA, Key: item.Key }));
          const body = Buffer.from(await got.Body!.transformToByteArray());
          const res = await fetch(`${base}/models/text-recognition/predict`, {
            method: 'POST',
            body,
            headers: { 'content-type': 'image/png' },
          });
          const answer = await res.text();
          if (res.status !== 200) throw new Error(`the route answered ${res.status}: ${answer}`);
          await s3.send(new PutObjectCommand({ Bucket: DATA, Key: `${output}${item.Key.slice('in/'.length)}.json`, Body: answer }));
        }
      };
      await Promise.all(Array.from({ length: clients }, loop));
      return (performance.now() - started) / ITEMS;
    };

    // Warm both paths (each function instance loads its model once) before measuring.
    await executorRun(`s3://${DATA}/warm/`);
    await clientRun(stack.baseUrl, 'warm-client/');
    const serve = await startServe(serveConfig(world.scratch()));
    const executor: number[] = [];
    const functionTime: number[] = [];
    const client: number[] = [];
    const served: number[] = [];
    try {
      await clientRun(serve.url, 'warm-serve/', CONCURRENCY);
      for (let rep = 0; rep < reps; rep++) {
        const run = await executorRun(`s3://${DATA}/out-${rep}/`);
        executor.push(run.msPerItem);
        functionTime.push(run.functionMsPerItem);
        client.push(await clientRun(stack.baseUrl, `client-${rep}/`));
        served.push(await clientRun(serve.url, `serve-${rep}/`, CONCURRENCY));
        log(
          `batch rep ${rep + 1}/${reps}: executor ${(1000 / run.msPerItem).toFixed(1)} items/s (${run.functionMsPerItem.toFixed(1)} ms of function time per item), ` +
            `HTTP client ${(1000 / client.at(-1)!).toFixed(1)} items/s, onnxless serve with ${CONCURRENCY} clients ${(1000 / served.at(-1)!).toFixed(1)} items/s`,
        );
      }
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
    const stacked = await stackedRuns(world, { s3Port: stack.env.ONNXLESS_LOCAL_S3_PORT!, items, reps, log });
    return [
      ...stacked,
      row({
        scenario: 'batch',
        model: 'text-recognition',
        metric: `${ITEMS} rendered lines, S3 in and out, npm start (ms per item)`,
        unit: 'ms',
        candidate: side(`onnxless batch --local (${ITEMS_PER_INVOCATION} per invocation, ${CONCURRENCY} at once)`, executor),
        baseline: side('client: GET, POST /models/text-recognition/predict, PUT, one item at a time', client),
        target: 'ratio <= 0.33 (>= 3x the items per second)',
        check: (r) => r.ratio <= 1 / 3,
        note: 'items/s = 1000 / ms per item; the executor writes each answer with its input ETag and the client the same answer',
        details: { itemsPerSecond: { executor: executor.map((m) => 1000 / m), client: client.map((m) => 1000 / m) } },
      }),
      row({
        scenario: 'batch',
        model: 'text-recognition',
        metric: 'function time per item in a batch (for the cost table)',
        unit: 'ms',
        candidate: side('invocation time / items, 20 per invocation', functionTime),
        baseline: side('client wall time per item, one at a time', client),
        note: 'docs/batch.md turns the candidate median into Lambda GB-seconds per million items',
      }),
      row({
        scenario: 'batch',
        model: 'text-recognition',
        metric: 'the same work on one onnxless serve (ms per item)',
        unit: 'ms',
        candidate: side(`onnxless batch --local (${CONCURRENCY} at once)`, executor),
        baseline: side(`onnxless serve, ${CONCURRENCY} clients: GET, POST, PUT`, served),
        note: "docs/batch.md's cost table: one serve instance's items per hour",
        details: { itemsPerSecond: { serve: served.map((m) => 1000 / m) } },
      }),
    ];
  } finally {
    await stack.stop();
    stack.dispose();
  }
}

/**
 * Stacked model runs against one at a time: the function's handler in this process over the
 * stack's bucket, one invocation of 20 items at a time, each setting in turn per repetition.
 */
async function stackedRuns(world: World, run: { s3Port: string; items: readonly BatchItem[]; reps: number; log: Log }): Promise<Row[]> {
  // The batch store reads the local S3 server's endpoint and keys from the environment, as on the stack.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${run.s3Port}`,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  });
  const dir = modelDir(world.scratch());
  const settings = [1, ...ITEMS_PER_RUN];
  const handlers = new Map(settings.map((k) => [k, inProcessFunction(dir, k)]));
  const times = new Map<number, number[]>(settings.map((k) => [k, []]));
  const pass = async (k: number, output: string): Promise<number> => {
    const started = performance.now();
    for (let i = 0; i < run.items.length; i += ITEMS_PER_INVOCATION) {
      const Items = run.items.slice(i, i + ITEMS_PER_INVOCATION);
      const summary = (await handlers.get(k)!({ Items, BatchInput: { input: `s3://${DATA}/in/`, output } })) as BatchSummary;
      if (summary.succeeded !== Items.length) throw new Error(`${k} per run: ${JSON.stringify(summary.failures.slice(0, 3))}`);
    }
    return (performance.now() - started) / run.items.length;
  };
  for (const k of settings) await pass(k, `s3://${DATA}/warm-stacked-${k}/`);
  for (let rep = 0; rep < run.reps; rep++) {
    for (const k of settings) times.get(k)!.push(await pass(k, `s3://${DATA}/stacked-${k}-${rep}/`));
    run.log(
      `batch rep ${rep + 1}/${run.reps}, in process: ${settings.map((k) => `${k} per run ${times.get(k)!.at(-1)!.toFixed(1)} ms/item`).join(', ')}`,
    );
  }
  return ITEMS_PER_RUN.map((k) =>
    row({
      scenario: 'batch',
      model: 'text-recognition',
      metric: `function time per item, model runs stacked ${k} items at a time (ms per item)`,
      unit: 'ms',
      candidate: side(`ONNXLESS_BATCH_ITEMS_PER_RUN=${k}`, times.get(k)!),
      baseline: side('one item per run (the default)', times.get(1)!),
      note: 'the handler in process over the stack bucket, 20 items per invocation, one invocation at a time; stacked only where the lines have one width at height 48',
    }),
  );
}
