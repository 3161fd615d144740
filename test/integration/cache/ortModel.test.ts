import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsCache } from '../../../lib/core/cache/WeightsCache';
import { ModelUnavailableError } from '../../../lib/core/errors';
import { ModelLoader, type LoadEvents } from '../../../lib/core/onnx/ModelLoader';
import { onnxruntimeVersion } from '../../../lib/core/onnx/onnxruntime';
import { manifestSha256, parseManifest, serializeManifest } from '../../../lib/core/sources/ModelManifest';
import { modelSourceFor } from '../../../lib/core/sources/modelUri';
import { EXAMPLE_MODELS } from '../../../lib/tools/local/exampleWeights';
import { inspectModel, type ModelFacts } from '../../../lib/tools/store/inspectModel';
import { ORT_FILE_NAME } from '../../../lib/tools/store/ortModel';
import { pushModel } from '../../../lib/tools/store/pushModel';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'models';
// The text-orientation classifier: small, and a real model with convolutions and fusions.
const FILES = EXAMPLE_MODELS['tiny']!;
const IMAGE = new Tensor(
  'float32',
  Float32Array.from({ length: 3 * 48 * 192 }, (_, i) => Math.sin(i * 0.37) * 0.5),
  [1, 3, 48, 192],
);

let s3: LocalS3;
let facts: ModelFacts;

beforeAll(async () => {
  facts = await inspectModel(FILES, 'tiny', { ort: true });
  s3 = await startLocalS3([BUCKET]);
}, 120_000);
afterAll(async () => s3?.close());

/** Push `model` (with `manifestText` in place of its own, if given) under `<prefix>/1/`; the pin to load it by. */
async function pushed(prefix: string, manifestText = facts.manifestText): Promise<string> {
  await pushModel(
    s3.setupClient,
    { ...facts, manifestText, sha256: manifestSha256(manifestText) },
    { bucket: BUCKET, prefix: `${prefix}/1/` },
  );
  return manifestSha256(manifestText);
}

function loaderFor(prefix: string, sha256: string, cache = new WeightsCache({ dir: tempDir() }), events: LoadEvents = {}): ModelLoader {
  return new ModelLoader(
    { name: prefix, source: modelSourceFor(`s3://${BUCKET}/${prefix}/1/`, s3.client), sha256, session: { intraOpThreads: 1 } },
    cache,
    events,
  );
}

describe('push --ort: the model in ORT format in the model package', () => {
  it('writes model.ort with onnxruntime and lists it in the manifest with its size, sha256, level and the onnxruntime version', async () => {
    const manifest = parseManifest(facts.manifestText, 'tiny');
    expect(manifest.ort).toEqual({
      path: ORT_FILE_NAME,
      size: facts.ort!.size,
      sha256: facts.ort!.sha256,
      onnxruntime: onnxruntimeVersion(),
      level: 'extended',
    });
    expect(manifest.files.map((f) => f.path)).toEqual(['model.onnx']);
    // The flatbuffer's file identifier: onnxruntime wrote the ORT format, not ONNX.
    expect(readFileSync(facts.ort!.from).subarray(4, 8).toString('latin1')).toBe('ORTM');

    await pushed('listed');
    const object = await s3.setupClient.send(
      new (await import('@aws-sdk/client-s3')).GetObjectCommand({ Bucket: BUCKET, Key: `listed/1/${ORT_FILE_NAME}` }),
    );
    expect(object.Metadata?.sha256).toBe(facts.ort!.sha256);
  });

  it('writes none without --ort: the manifest has no ort entry', async () => {
    const plain = await inspectModel(FILES, 'tiny');
    expect([plain.ort, parseManifest(plain.manifestText, 'tiny').ort, plain.manifestText]).toEqual([
      undefined,
      undefined,
      expect.not.stringContaining('"ort"'),
    ]);
  });

  it('is what a loader on the same onnxruntime downloads and creates its session from, in place of the graphs', async () => {
    const sha256 = await pushed('same');
    s3.proxy.reset();

    const loaded = await loaderFor('same', sha256).load();

    expect([loaded.weights.graph, loaded.graph, loaded.weights.path.endsWith(`/${ORT_FILE_NAME}`)]).toEqual(['ort', 'ort', true]);
    expect([s3.proxy.gets(ORT_FILE_NAME).length, s3.proxy.gets('model.onnx').length, s3.proxy.gets('model.extended.onnx').length]).toEqual([
      1, 0, 0,
    ]);
    const out = await loaded.runner.session.run({ [loaded.runner.session.inputNames[0]!]: IMAGE });
    expect(Object.values(out)[0]!.dims).toEqual([1, 2]);
    await loaded.runner.session.release();
  });

  it('is passed over by a loader on another onnxruntime version, which loads the graph and logs one line naming both versions', async () => {
    const manifest = parseManifest(facts.manifestText, 'tiny');
    const sha256 = await pushed('other', serializeManifest({ ...manifest, ort: { ...manifest.ort!, onnxruntime: '0.0.1' } }));
    s3.proxy.reset();
    const lines: string[] = [];
    const cache = new WeightsCache({ dir: tempDir() });

    const loaded = await loaderFor('other', sha256, cache, {
      onGraphFallback: (model, message) => lines.push(`${model}: ${message}`),
    }).load();

    expect([loaded.weights.graph, loaded.graph]).toEqual(['optimized', 'optimized']);
    expect(s3.proxy.gets(ORT_FILE_NAME)).toHaveLength(0);
    expect(lines).toEqual([
      expect.stringMatching(
        new RegExp(
          `^other: model\\.ort was written by onnxruntime 0\\.0\\.1, this function runs onnxruntime ${onnxruntimeVersion().replace(/\./g, '\\.')}`,
        ),
      ),
    ]);
    await loaded.runner.session.release();
  });

  it('refuses a tampered model.ort with a 503, as any pinned file', async () => {
    const sha256 = await pushed('tampered');
    const bytes = readFileSync(facts.ort!.from);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    await s3.setupClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: `tampered/1/${ORT_FILE_NAME}`, Body: bytes }));

    const err = await loaderFor('tampered', sha256)
      .load()
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect([(err as ModelUnavailableError).status, (err as Error).message]).toEqual([
      503,
      expect.stringMatching(/model\.ort.*sha256|sha256.*model\.ort/),
    ]);
  });

  it('is hashed again from the cache: a model.ort rewritten there in place (size and mtime kept) is discarded and fetched again', async () => {
    const sha256 = await pushed('cached');
    const cache = new WeightsCache({ dir: tempDir() });
    const first = await loaderFor('cached', sha256, cache).load();
    await first.runner.session.release();
    // Its timestamps to the nanosecond by `touch -r` (Node's utimes rounds them to a double).
    const reference = join(tempDir(), 'reference');
    execFileSync('cp', ['--preserve=timestamps', first.weights.path, reference]);
    const bytes = readFileSync(first.weights.path);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(first.weights.path, bytes);
    execFileSync('touch', ['-r', reference, first.weights.path]);
    s3.proxy.reset();
    const failed: string[] = [];

    const again = await loaderFor('cached', sha256, cache, { onVerificationFailed: (model) => failed.push(model) }).load();

    expect([failed, again.graph, s3.proxy.gets(ORT_FILE_NAME).length]).toEqual([['cached'], 'ort', 1]);
    expect(readFileSync(again.weights.path).equals(readFileSync(facts.ort!.from))).toBe(true);
    await again.runner.session.release();
  });
});
