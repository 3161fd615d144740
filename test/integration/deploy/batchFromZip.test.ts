import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_MODELS } from '../../../lib/tools/local/exampleWeights';
import { inspectModel } from '../../../lib/tools/store/inspectModel';
import { pushModel } from '../../../lib/tools/store/pushModel';
import { httpApiEvent } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { randomPhrases, renderLine } from '../pipelines/renderText';
import { examplePackage } from './examplePackage';
import { builtLayerZips, startPackagedFunction, type LambdaSandbox } from './lambdaSandbox';
import { ROOT, lambdaFunction, removeService, type PackagedService } from './serviceFixture';

/**
 * The Distributed Map batch event through the text-recognition function as it ships: its zip as
 * the task root, its layers in /opt, Node 22, the S3 client from the SDK that Lambda's runtime
 * carries (the project's node_modules stands in for /var/runtime/node_modules), real S3 protocol,
 * the items' model runs stacked.
 */
const DATA = 'batch-data';

describe('a batch event through the packaged text-recognition function (zip and layers, Node 22)', () => {
  let pkg: PackagedService;
  let s3: LocalS3;
  let scratch: string;
  let sandbox: LambdaSandbox;
  const phrases = randomPhrases(6, 7);

  beforeAll(async () => {
    pkg = await examplePackage();
    scratch = await mkdtemp(path.join(os.tmpdir(), 'onnxless-batch-zip-'));
    const layerZip = await builtLayerZips();
    const uri = new URL(lambdaFunction(pkg.template, 'text-recognition').Properties.Environment.Variables.ONNXLESS_MODEL_URI as string);
    s3 = await startLocalS3([uri.host, DATA]);
    await pushModel(s3.setupClient, await inspectModel(EXAMPLE_MODELS['text-recognition']!, 'text-recognition'), {
      bucket: uri.host,
      prefix: uri.pathname.slice(1),
    });
    for (const [i, phrase] of phrases.entries()) await s3.put(DATA, `in/${i}.png`, await renderLine(phrase));
    await s3.put(DATA, 'in/broken.png', Buffer.from('not a png'));
    sandbox = await startPackagedFunction({
      template: pkg.template,
      out: pkg.out,
      key: 'text-recognition',
      layerZip,
      s3Endpoint: s3.endpoint,
      cacheDir: path.join(scratch, 'cache'),
      runtimeModules: path.join(ROOT, 'node_modules'),
      // The items' model runs stacked 4 at a time (StackedRuns.ts): the answers must still be the route's, byte for byte.
      env: { ONNXLESS_BATCH_ITEMS_PER_RUN: '4' },
    });
  }, 300_000);

  afterAll(async () => {
    await sandbox?.stop();
    await s3?.close();
    await removeService(pkg);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('answers with the batch summary, writes each answer as the HTTP route gives it, and skips them all the second time', async () => {
    const keys = [...phrases.keys()].map((i) => `in/${i}.png`).concat('in/broken.png');
    const Items = [];
    for (const Key of keys) {
      const head = await s3.setupClient.send(new HeadObjectCommand({ Bucket: DATA, Key }));
      Items.push({
        Key,
        Size: head.ContentLength,
        ETag: head.ETag,
        LastModified: head.LastModified?.toISOString(),
        StorageClass: 'STANDARD',
      });
    }
    const event = { Items, BatchInput: { input: `s3://${DATA}/in/`, output: `s3://${DATA}/out/` } };

    const summary = (await sandbox.invoke(event)) as unknown as {
      succeeded: number;
      failed: number;
      skipped: number;
      failures: Array<{ key: string; error: string }>;
    };
    expect([summary.succeeded, summary.failed, summary.skipped]).toEqual([phrases.length, 1, 0]);
    expect(summary.failures).toEqual([{ key: 'in/broken.png', error: expect.stringMatching(/^400: \S/) }]);
    for (const [i, phrase] of phrases.entries()) {
      const out = await s3.setupClient.send(new GetObjectCommand({ Bucket: DATA, Key: `out/${i}.png.json` }));
      const body = await out.Body!.transformToString();
      expect((JSON.parse(body) as { text: string }).text).toBe(phrase);
      const http = await sandbox.invoke(
        httpApiEvent('POST', '/models/text-recognition/predict', {
          body: await renderLine(phrase),
          headers: { 'content-type': 'image/png' },
        }),
      );
      expect(body).toBe(http.body);
    }
    s3.proxy.reset();
    const again = (await sandbox.invoke(event)) as unknown as typeof summary;
    expect([again.succeeded, again.failed, again.skipped]).toEqual([0, 1, phrases.length]);
    expect(s3.proxy.requests.filter((r) => r.method === 'PUT')).toEqual([]);
  }, 120_000);
});
