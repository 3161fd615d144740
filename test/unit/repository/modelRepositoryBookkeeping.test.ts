import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WeightsCache } from '../../../lib/core/cache/WeightsCache';
import type { Endpoint, InferBody } from '../../../lib/core/inference/Endpoint';
import type { ProtocolLimits } from '../../../lib/core/protocol/limits';
import { IndexReader } from '../../../lib/core/repository/IndexReader';
import { ModelRepository, type RepositoryBudgets, type RepositoryModelSpec } from '../../../lib/core/repository/ModelRepository';
import { tempDir } from '../../support/testHandler';

/**
 * Stand-ins for the repository's models (no onnxruntime): a model is loaded by its first call,
 * which reports the load as ModelLoader would; a call waits for the promise it is given, so a
 * test holds a request in flight; every read of a model's load state is counted.
 */
function fakeRepository(count: number, budgets: Partial<RepositoryBudgets> = {}, filesPerModel?: (name: string) => number) {
  const cache = new WeightsCache({ dir: tempDir('onnxless-repo-unit-') });
  const models = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`m${i}`, { directory: `m${i}/1/`, sha256: 'a'.repeat(64), size: 1000 }]),
  );
  const text = JSON.stringify({ format: 'onnxless.repository/1', models });
  const index = new IndexReader({ uri: 's3://b/index.json', read: async () => ({ state: 'found', text, etag: '"1"' }) }, { ttlMs: 60_000 });
  const stateReads = new Map<string, number>();
  const fake = (spec: RepositoryModelSpec) => {
    let loaded = false;
    const service = {
      inferBody: async (held: InferBody) => {
        if (!loaded) {
          loaded = true;
          // The model's folder as a download leaves it: files the disk budget counts and removes.
          const files = filesPerModel?.(spec.name) ?? 0;
          const root = cache.rootFor(spec.uri);
          if (files > 0) mkdirSync(root, { recursive: true });
          for (let f = 0; f < files; f++) writeFileSync(join(root, `part-${f}`), 'x');
          spec.onLoad({ model: spec.name, outcome: 'loaded', durationMs: 1, bytes: files > 0 ? files : 1000 });
        }
        await (held as unknown as Promise<void>);
        return { json: spec.name };
      },
    } as unknown as Endpoint;
    return {
      get isLoaded() {
        stateReads.set(spec.name, (stateReads.get(spec.name) ?? 0) + 1);
        return loaded;
      },
      service,
      release: async () => undefined,
    };
  };
  const repository = new ModelRepository({
    name: 'r',
    prefix: 's3://b/',
    index,
    cache,
    budgets: { sessionBytes: 1024 ** 3, diskBytes: 1024 ** 3, ...budgets },
    limits: {} as ProtocolLimits,
    models: fake,
  });
  const call = async (name: string, held: Promise<void> = Promise.resolve()) =>
    (await repository.endpoint(name))!.inferBody(held as unknown as InferBody);
  return { repository, call, stateReads, rootOf: (name: string) => cache.rootFor(`s3://b/${name}/1/`) };
}

describe("ModelRepository's bookkeeping", () => {
  it("a hit reads no other model's state: the budget is not walked while nothing it counts changed", async () => {
    const { repository, call, stateReads } = fakeRepository(50);
    for (let i = 0; i < 50; i++) await call(`m${i}`);
    stateReads.clear();

    for (let i = 0; i < 100; i++) await call('m1');

    expect([...stateReads.keys()]).toEqual(['m1']);
    expect(repository.snapshot()).toMatchObject({ loaded: 50, models: { m1: { hits: 100, loads: 1 } } });
  });

  it('an eviction the budget could not make while every candidate was in use is made when a request ends', async () => {
    const { repository, call } = fakeRepository(2, { maxModels: 1 });
    let endA!: () => void;
    const a = call('m0', new Promise<void>((resolve) => (endA = resolve)));
    await call('m1');

    // m1 loaded while m0's request held m0: two loaded, one over the count; m1's request ended
    // first, so m1 (not in use) went then.
    expect(repository.snapshot()).toMatchObject({ loaded: 1, totals: { loads: 2, evictions: 1 } });
    expect(repository.snapshot().models.m1).toMatchObject({ evictions: 1 });
    endA();
    await a;
    expect(repository.snapshot()).toMatchObject({ loaded: 1, totals: { loads: 2, evictions: 1 } });
  });

  it('keeps a folder past the disk budget whose model a request began to load while an earlier folder was being removed', async () => {
    // prepare: one model loaded at a time; m0 and m1 one unit of files each (m0 400 small files,
    // so its removal spans many turns of the event loop), m2 two units: with m2 in, the files (one
    // byte each) are over a 2.5-unit budget by m0 and m1, least recently used first
    const unit = 400;
    const { repository, call, rootOf } = fakeRepository(3, { maxModels: 1, diskBytes: 2.5 * unit }, (name) =>
      name === 'm2' ? 2 * unit : unit,
    );
    await call('m0');
    await call('m1');
    await repository.filesSettled();
    expect(readdirSync(rootOf('m1'))).toHaveLength(unit);

    // act: m2 loads; as soon as m0's folder has begun to go, a request for m1 begins (held open)
    await call('m2');
    while (existsSync(rootOf('m0')) && readdirSync(rootOf('m0')).length === unit) await new Promise((r) => setImmediate(r));
    let end!: () => void;
    const m1 = call('m1', new Promise<void>((resolve) => (end = resolve)));
    await repository.filesSettled();

    // assess: m0's folder went; m1's, in use by then, stayed whole (it was removed under its load)
    expect(existsSync(rootOf('m0'))).toBe(false);
    expect(readdirSync(rootOf('m1'))).toHaveLength(unit);
    end();
    await m1;
  });
});
