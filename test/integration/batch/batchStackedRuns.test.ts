import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTextRecognition } from '../../../lib/core/builtins/textRecognition';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { decodeImage, resizeImage } from '../../../lib/core/processing';
import { EXAMPLE_MODELS } from '../../../lib/tools/local/exampleWeights';
import { createLambdaHandler, type LambdaHandler } from '../../../lib/lambda/createLambdaHandler';
import { httpApiEvent, type Result } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { stubBatchS3Env } from './batchS3Env';
import { RecordingSink } from '../../support/RecordingSink';
import { tempDir } from '../../support/testHandler';
import { batchInputs } from './batchInputs';

/**
 * A batch invocation of the text-recognition function with its items' model runs stacked
 * (ONNXLESS_BATCH_ITEMS_PER_RUN): rendered lines through the real recogniser, real S3 protocol.
 * The session's runs are counted at onnxruntime's own `InferenceSession.run`.
 */
const BUCKET = 'lines';
const INPUT = `s3://${BUCKET}/in/`;
/** Lines of this width at the recogniser's height 48 (most of the rendered ones): runs of equal shape stack. */
const WIDTH = 390;
const ITEMS_PER_RUN = 6;

type Summary = { succeeded: number; failed: number; skipped: number; failures: Array<{ key: string; error: string }> };

describe('a batch invocation with its model runs stacked (text-recognition, in process)', () => {
  let s3: LocalS3;
  const handlers = new Map<number, LambdaHandler>();
  /** 12 lines of one width, a corrupt object among them, 2 lines of other widths. */
  const keys: string[] = [];
  const bodies = new Map<string, Buffer>();
  let lines: Map<string, string>;
  /** Each line's width in the recogniser's input. */
  const widths = new Map<string, number>();

  beforeAll(async () => {
    s3 = await startLocalS3([BUCKET]);
    stubBatchS3Env(s3.endpoint);
    const inputs = await batchInputs(40, 0);
    lines = new Map();
    const same: string[] = [];
    const other: string[] = [];
    for (const [key, body] of inputs.bodies) {
      const { image } = await resizeImage(
        await decodeImage(body),
        { mode: 'fixedHeight', height: 48, maxWidth: 2400 },
        { kernel: 'linear' },
      );
      widths.set(key, image.width);
      (image.width === WIDTH ? same : other).push(key);
    }
    keys.push(...same.slice(0, 3), 'broken/truncated.png', ...same.slice(3, 12), ...other.slice(0, 2));
    for (const key of keys) {
      const body = key.startsWith('broken/') ? inputs.bodies.get(same[0]!)!.subarray(0, 64) : inputs.bodies.get(key)!;
      bodies.set(key, body);
      if (!key.startsWith('broken/')) lines.set(key, inputs.lines.get(key)!);
      await s3.put(BUCKET, `in/${key}`, body);
    }
    const modelDir = tempDir();
    for (const file of EXAMPLE_MODELS['text-recognition']!) copyFileSync(file.from, join(modelDir, file.path));
    for (const itemsPerRun of [1, ITEMS_PER_RUN]) {
      handlers.set(
        itemsPerRun,
        createLambdaHandler(
          {
            name: 'text-recognition',
            uri: `file://${modelDir}`,
            cacheDir: tempDir(),
            eager: false,
            session: { intraOpThreads: 1 },
            limits: DEFAULT_LIMITS,
            batchItemsPerRun: itemsPerRun,
          },
          { pipeline: createTextRecognition(), sink: new RecordingSink() },
        ),
      );
    }
    // Each handler loads its model before any run is counted.
    for (const handler of handlers.values()) {
      await handler(
        httpApiEvent('POST', '/models/text-recognition/predict', { body: bodies.get(keys[0]!)!, headers: { 'content-type': 'image/png' } }),
      );
    }
  }, 120_000);

  afterEach(() => vi.restoreAllMocks());

  afterAll(async () => {
    vi.unstubAllEnvs();
    await s3?.close();
  });

  async function listedItems() {
    const items = [];
    for (const key of keys) {
      const head = await s3.setupClient.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `in/${key}` }));
      items.push({ Key: `in/${key}`, Size: head.ContentLength, ETag: head.ETag });
    }
    return items;
  }

  async function answer(output: string, key: string): Promise<string> {
    const out = await s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${output}${key}.json` }));
    return out.Body!.transformToString();
  }

  /** The batch through the handler with `itemsPerRun`, its session runs counted. */
  async function runBatch(itemsPerRun: number, output: string): Promise<{ summary: Summary; runs: number }> {
    const run = vi.spyOn((InferenceSession as unknown as { prototype: InferenceSession }).prototype, 'run');
    const event = { Items: await listedItems(), BatchInput: { input: INPUT, output: `s3://${BUCKET}/${output}` } };
    const summary = (await handlers.get(itemsPerRun)!(event, {
      awsRequestId: `stacked-${itemsPerRun}`,
      getRemainingTimeInMillis: () => 600_000,
    })) as Summary;
    const runs = run.mock.calls.length;
    run.mockRestore();
    return { summary, runs };
  }

  it('runs the model once per group of lines of one shape, the corrupt line failing alone, each answer the HTTP route’s byte for byte', async () => {
    const { summary, runs } = await runBatch(ITEMS_PER_RUN, 'stacked/');
    expect(summary).toMatchObject({ succeeded: 14, failed: 1, skipped: 0 });
    expect(summary.failures).toEqual([{ key: 'in/broken/truncated.png', error: expect.stringMatching(/^400: .*\S/) }]);
    // Groups of 6 items in listing order: [3 lines, the corrupt one, 2 lines] one run; [6 lines] one
    // run; [1 line, 2 of other widths] one run per width among them. One at a time: 14 runs.
    expect(runs).toBe(2 + new Set(keys.slice(12).map((k) => widths.get(k))).size);

    for (const key of keys.filter((k) => !k.startsWith('broken/'))) {
      const http = (await handlers.get(1)!(
        httpApiEvent('POST', '/models/text-recognition/predict', { body: bodies.get(key)!, headers: { 'content-type': 'image/png' } }),
      )) as Result;
      expect(http.statusCode).toBe(200);
      expect(await answer('stacked/', key)).toBe(http.body);
    }
    // Stacking pads nothing: the lines read as the rendered phrases.
    let read = 0;
    for (const [key, phrase] of lines) if ((JSON.parse(await answer('stacked/', key)) as { text: string }).text === phrase) read++;
    expect(read).toBeGreaterThanOrEqual(13);
  });

  it('one item at a time runs the model once per line, with the same answers', async () => {
    const { summary, runs } = await runBatch(1, 'single/');
    expect(summary).toMatchObject({ succeeded: 14, failed: 1, skipped: 0 });
    expect(runs).toBe(14);
    for (const key of lines.keys()) expect(await answer('single/', key)).toBe(await answer('stacked/', key));
  });
});
