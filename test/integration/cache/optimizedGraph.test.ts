import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsCache } from '../../../lib/core/cache/WeightsCache';
import { EXAMPLE_MODELS } from '../../../lib/tools/local/exampleWeights';
import { ModelLoader } from '../../../lib/core/onnx/ModelLoader';
import { onnxruntimeVersion } from '../../../lib/core/onnx/onnxruntime';
import { toSessionOptions } from '../../../lib/core/onnx/SessionOptions';
import { manifestSha256, parseManifest, serializeManifest } from '../../../lib/core/sources/ModelManifest';
import { modelSourceFor } from '../../../lib/core/sources/modelUri';
import { inspectModel, type ModelFacts, type ModelFileSource } from '../../../lib/tools/store/inspectModel';
import { OPTIMIZED_FILE_NAME } from '../../../lib/tools/store/optimizeGraph';
import { pushModel } from '../../../lib/tools/store/pushModel';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { denseLayerModels } from '../../support/onnxModels';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'models';
const SESSION = toSessionOptions({ intraOpThreads: 1 });

/** The examples by distinct model.onnx (tiny and text-orientation share one), and the dense layer as one file and with external data. */
function models(): Record<string, readonly ModelFileSource[]> {
  const out: Record<string, readonly ModelFileSource[]> = {};
  const seen = new Set<string>();
  for (const [name, files] of Object.entries(EXAMPLE_MODELS)) {
    const from = files.find((f) => f.path === 'model.onnx')!.from;
    if (!seen.has(from)) out[name] = files;
    seen.add(from);
  }
  const dense = denseLayerModels(96, 64);
  const dir = tempDir();
  writeFileSync(join(dir, 'single.onnx'), dense.single);
  mkdirWrite(join(dir, 'external'), { 'model.onnx': dense.external.model, [dense.external.weightsFile]: dense.external.data });
  out['dense'] = [{ path: 'model.onnx', from: join(dir, 'single.onnx') }];
  out['dense-external-data'] = [
    { path: 'model.onnx', from: join(dir, 'external', 'model.onnx') },
    { path: dense.external.weightsFile, from: join(dir, 'external', dense.external.weightsFile) },
  ];
  return out;
}

function mkdirWrite(dir: string, files: Record<string, Uint8Array>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
}

/** Inputs any of these models accepts: symbolic dims filled with sizes their layers take. */
function feedsFor(session: InferenceSession): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) continue;
    const shape = meta.shape.map((d, i) =>
      typeof d === 'number' && d >= 0
        ? d
        : meta.shape.length === 4
          ? [1, 3, 64, 192][i]!
          : i === 0 || meta.shape.length === 3
            ? 1
            : meta.type === 'int64'
              ? 8
              : 512,
    );
    const n = shape.reduce((a, b) => a * b, 1);
    feeds[meta.name] =
      meta.type === 'int64'
        ? new Tensor(
            'int64',
            BigInt64Array.from({ length: n }, (_, i) => (n === 1 ? 16000n : BigInt(1 + (i % 90)))),
            shape,
          )
        : new Tensor(
            'float32',
            Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 0.5),
            shape,
          );
  }
  return feeds;
}

const dataOf = (results: InferenceSession.OnnxValueMapType) =>
  Object.fromEntries(Object.entries(results).map(([k, t]) => [k, (t as Tensor).data as Float32Array]));

async function outputsOf(path: string): Promise<Record<string, Float32Array | BigInt64Array>> {
  const session = await InferenceSession.create(path, SESSION);
  try {
    const results = await session.run(feedsFor(session));
    return Object.fromEntries(Object.entries(results).map(([k, t]) => [k, t.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** Largest absolute difference between two runs' outputs, every output compared. */
function maxDifference(a: Record<string, ArrayLike<number | bigint>>, b: Record<string, ArrayLike<number | bigint>>): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let max = 0;
  for (const [name, x] of Object.entries(a)) {
    const y = b[name]!;
    expect(y.length).toBe(x.length);
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(Number(x[i]) - Number(y[i])));
  }
  return max;
}

const facts: Record<string, ModelFacts> = {};
let s3: LocalS3;

beforeAll(async () => {
  for (const [name, files] of Object.entries(models())) facts[name] = await inspectModel(files, name);
  s3 = await startLocalS3([BUCKET]);
}, 120_000);
afterAll(async () => s3?.close());

describe('the pre-optimised graph pushed with a model', () => {
  it('is recorded in the manifest with its size, sha256, level and the onnxruntime version that wrote it', () => {
    for (const [name, model] of Object.entries(facts)) {
      const manifest = parseManifest(model.manifestText, name);
      expect([name, manifest.optimized]).toEqual([
        name,
        {
          path: OPTIMIZED_FILE_NAME,
          size: model.optimized!.size,
          sha256: model.optimized!.sha256,
          onnxruntime: onnxruntimeVersion(),
          level: 'extended',
        },
      ]);
      expect(manifest.files.map((f) => f.path)).not.toContain(OPTIMIZED_FILE_NAME);
    }
  });

  it('gives every model the outputs of its original graph (within 1e-6)', async () => {
    const differences: Record<string, number> = {};
    for (const [name, model] of Object.entries(facts)) {
      // Beside the model's other files, as the cache lays it out: external data resolves from it.
      const dir = tempDir();
      for (const f of model.files) copyFileSync(f.from, join(dir, f.path));
      copyFileSync(model.optimized!.from, join(dir, OPTIMIZED_FILE_NAME));
      differences[name] = maxDifference(await outputsOf(join(dir, 'model.onnx')), await outputsOf(join(dir, OPTIMIZED_FILE_NAME)));
    }
    for (const [name, diff] of Object.entries(differences)) expect([name, diff <= 1e-6]).toEqual([name, true]);
    expect(Object.keys(differences).length).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('is what a loader under the same onnxruntime downloads and loads, in place of model.onnx', async () => {
    const model = facts['text-recognition']!;
    await pushModel(s3.setupClient, model, { bucket: BUCKET, prefix: 'rec/1/' });
    s3.proxy.reset();
    const cache = new WeightsCache({ dir: tempDir() });
    const loader = new ModelLoader(
      { name: 'rec', source: modelSourceFor(`s3://${BUCKET}/rec/1/`, s3.client), sha256: model.sha256, session: { intraOpThreads: 1 } },
      cache,
    );

    const loaded = await loader.load();

    expect(loaded.weights.graph).toBe('optimized');
    expect(loaded.weights.path.endsWith(OPTIMIZED_FILE_NAME)).toBe(true);
    expect(
      readdirSync(loaded.weights.dir)
        .filter((f) => !f.includes('.machine-'))
        .sort(),
    ).toEqual(['.onnxless-record.json', '.onnxless-verified.json', 'manifest.json', OPTIMIZED_FILE_NAME, 'ppocr_keys_v1.txt']);
    expect(s3.proxy.gets('model.onnx')).toHaveLength(0);
    expect(s3.proxy.gets(OPTIMIZED_FILE_NAME)).toHaveLength(1);
    expect(loaded.graph).toBe('optimized');
    const first = await loaded.runner.session.run(feedsFor(loaded.runner.session));
    await loaded.runner.session.release();

    // The first load (a download: a sandbox's cold start) does not pay for writing this machine's
    // graph. A restart in the same sandbox: the verified directory answers, nothing is downloaded,
    // and that load writes the machine's fully optimised graph; the restart after it uses it.
    expect(readdirSync(loaded.weights.dir).filter((f) => f.includes('.machine-'))).toEqual([]);
    s3.proxy.reset();
    const again = await new ModelLoader(loader.config, cache).load();
    expect([again.graph, again.weights.origin, s3.proxy.requests.length]).toEqual(['optimized', 'cache', 0]);
    await again.runner.session.release();
    const third = await new ModelLoader(loader.config, cache).load();
    expect([third.graph, third.weights.origin, s3.proxy.requests.length]).toEqual(['machine', 'cache', 0]);
    const restarted = await third.runner.session.run(feedsFor(third.runner.session));
    expect(maxDifference(dataOf(first), dataOf(restarted))).toBeLessThanOrEqual(1e-6);
    await third.runner.session.release();
  });

  it('is ignored by a loader under another onnxruntime version, and by one configured for another level: both get model.onnx', async () => {
    const model = facts['tiny']!;
    const manifest = parseManifest(model.manifestText, 'tiny');
    const otherText = serializeManifest({ ...manifest, optimized: { ...manifest.optimized!, onnxruntime: '0.0.1' } });
    await pushModel(
      s3.setupClient,
      { ...model, manifestText: otherText, sha256: manifestSha256(otherText) },
      { bucket: BUCKET, prefix: 'tiny-other/1/' },
    );
    await pushModel(s3.setupClient, model, { bucket: BUCKET, prefix: 'tiny/1/' });

    const other = await new ModelLoader(
      { name: 'a', source: modelSourceFor(`s3://${BUCKET}/tiny-other/1/`, s3.client), sha256: manifestSha256(otherText) },
      new WeightsCache({ dir: tempDir() }),
    ).load();
    const basic = await new ModelLoader(
      {
        name: 'b',
        source: modelSourceFor(`s3://${BUCKET}/tiny/1/`, s3.client),
        sha256: model.sha256,
        session: { graphOptimization: 'basic' },
      },
      new WeightsCache({ dir: tempDir() }),
    ).load();

    for (const loaded of [other, basic]) {
      expect([
        loaded.weights.graph,
        loaded.weights.path.endsWith('/model.onnx'),
        existsSync(join(loaded.weights.dir, OPTIMIZED_FILE_NAME)),
      ]).toEqual(['original', true, false]);
      await loaded.runner.session.release();
    }
  });

  it('keeps a manifest without one loading as before, its bytes (and so its pin) those of the first format', () => {
    const model = facts['tiny']!;
    const { optimized: _, ...old } = parseManifest(model.manifestText, 'tiny');
    const text = serializeManifest(old);
    expect(text).not.toMatch(/optimized/);
    expect(parseManifest(text, 'old').optimized).toBeUndefined();
  });
});
