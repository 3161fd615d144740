import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushToRepository, removeFromRepository } from '../../../lib/tools/store/pushToRepository';
import { httpApiEvent, jsonBody } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { addConstantFacts, addConstantModel } from '../../support/repositoryModels';
import { sessionBytes } from '../../../lib/core/repository/residentBudget';
import { readdirSync } from 'node:fs';
import { inferEvent, repositoryFunction } from '../../support/repositoryFunction';
import { pushManyModels } from '../../support/repositoryPush';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'repo-fn';
let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterAll(async () => s3?.close());

/** Pushes the models, model i adding constantOf(i) to its input (default i + 1). */
const pushModels = (prefix: string, names: readonly string[], constantOf?: (i: number) => number) =>
  pushManyModels(s3.client, prefix, names, constantOf);

/**
 * Models in the every-model test: 250 fit the suite's minute on 2 cores (~0.15 s a cold load
 * there); `REPOSITORY_MODELS=1000 npx vitest run <this file>` is the thousand.
 */
const EVERY_MODEL_COUNT = Number(process.env.REPOSITORY_MODELS ?? 250);

const outputOf = (result: Awaited<ReturnType<ReturnType<typeof repositoryFunction>['handler']>>) =>
  (jsonBody(result) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data;

describe('a repository function', () => {
  it(`serves each of ${EVERY_MODEL_COUNT} models with its own output, its version route, and a 404 for a name it does not list`, async () => {
    const prefix = `s3://${BUCKET}/all/`;
    const names = Array.from({ length: EVERY_MODEL_COUNT }, (_, i) => `m${i}`);
    await pushModels(prefix, names);
    const fn = repositoryFunction({ prefix }, s3.client);

    for (const [i, name] of names.entries()) {
      const result = await fn.handler(inferEvent(name));
      expect(result.statusCode, result.body).toBe(200);
      expect(outputOf(result)).toEqual([i + 1, i + 2, i + 3]);
    }
    expect((await fn.handler(inferEvent('m3', '/v2/models/m3/versions/1/infer'))).statusCode).toBe(200);
    expect((await fn.handler(inferEvent('m3', '/v2/models/m3/versions/2/infer'))).statusCode).toBe(404);
    const unknown = await fn.handler(inferEvent('nope'));
    expect(unknown.statusCode).toBe(404);
    expect(jsonBody(unknown)).toEqual({ error: "unknown model 'nope': repository 'customers' does not list it" });
    expect(jsonBody(await fn.handler(httpApiEvent('GET', '/v2/models/m7')))).toMatchObject({ name: 'm7', versions: ['1'] });
    expect((await fn.handler(httpApiEvent('GET', '/v2/health/ready'))).statusCode).toBe(200);
    expect(fn.repository.snapshot()).toMatchObject({ loaded: EVERY_MODEL_COUNT, totals: { loads: EVERY_MODEL_COUNT, evictions: 0 } });
  }, 600_000);

  it('with a budget of 20 loaded models, a sequence over 100 models loads and evicts as least-recently-used says', async () => {
    const prefix = `s3://${BUCKET}/budget/`;
    const names = Array.from({ length: 100 }, (_, i) => `b${i}`);
    await pushModels(prefix, names);
    const fn = repositoryFunction({ prefix, budgets: { sessionBytes: 1024 ** 3, maxModels: 20, diskBytes: 1024 ** 3 } }, s3.client);

    // Three passes: 0..99 in order, then 80..99 again (all still loaded: hits), then 0..9 (evicted: loads again).
    const sequence = [...names, ...names.slice(80), ...names.slice(0, 10)];
    for (const name of sequence) {
      const result = await fn.handler(inferEvent(name));
      expect(result.statusCode).toBe(200);
      expect(outputOf(result)[0]).toBe(Number(name.slice(1)) + 1);
    }

    const snapshot = fn.repository.snapshot();
    expect(snapshot.totals).toEqual({ loads: 110, hits: 20, evictions: 90 });
    expect(snapshot.loaded).toBe(20);
    expect(snapshot.models.b80).toMatchObject({ loads: 1, hits: 1, evictions: 1 }); // evicted by the last pass, after its hit
    expect(snapshot.models.b0).toMatchObject({ loads: 2, hits: 0, evictions: 1 });
    expect(snapshot.models.b99).toMatchObject({ loads: 1, hits: 1, evictions: 0 });
    expect(fn.evictions.filter((line) => line.includes('"message":"model eviction"'))).toHaveLength(90);
    expect(JSON.parse(fn.evictions[0]!)).toMatchObject({ message: 'model eviction', model: 'b0', reason: 'budget', loaded: 20 });
    expect(fn.sink.loads.filter((l) => l.outcome === 'loaded')).toHaveLength(110);
  });

  it('keeps the sessions within a memory budget and the files within the disk budget, least recently used first', async () => {
    const prefix = `s3://${BUCKET}/bytes/`;
    const names = Array.from({ length: 12 }, (_, i) => `y${i}`);
    await pushModels(prefix, names);
    // What one model's folder takes in the cache (its files, the machine graph, records): measured on a first function.
    const probe = repositoryFunction({ prefix }, s3.client);
    await probe.handler(inferEvent('y0'));
    await probe.repository.filesSettled();
    const folderBytes = probe.repository.snapshot().diskBytes;
    // Every test model has the same size (one float constant): room for 4 sessions, 6 models' folders.
    const size = addConstantModel(0).length;
    const budgets = { sessionBytes: 4 * sessionBytes(size), diskBytes: 6 * folderBytes + folderBytes / 2 };
    const fn = repositoryFunction({ prefix, budgets }, s3.client);

    for (const name of names) expect((await fn.handler(inferEvent(name))).statusCode).toBe(200);
    await fn.repository.filesSettled();

    const snapshot = fn.repository.snapshot();
    expect(snapshot).toMatchObject({ loaded: 4, residentBytes: 4 * sessionBytes(size), totals: { loads: 12, evictions: 8 } });
    // Six folders' bytes, give or take a few: the cache's records differ by a byte or two from
    // folder to folder (names of two digits, the numbers they record), either way.
    expect(snapshot.diskBytes).toBeGreaterThan(6 * folderBytes - 64);
    expect(snapshot.diskBytes).toBeLessThanOrEqual(budgets.diskBytes);
    const folders = readdirSync(fn.config.cacheDir, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(folders).toHaveLength(6);
    // A model whose files were removed is downloaded again, and answers right.
    expect(outputOf(await fn.handler(inferEvent('y0')))).toEqual([1, 2, 3]);
  });

  it('never unloads a model under its running request: evicted once the request ends', async () => {
    const prefix = `s3://${BUCKET}/inuse/`;
    await pushModels(prefix, ['u0', 'u1', 'u2']);
    const fn = repositoryFunction({ prefix, budgets: { sessionBytes: 1024 ** 3, maxModels: 1, diskBytes: 1024 ** 3 } }, s3.client);
    // Two requests at once on different models with room for one: both answer right.
    const [a, b] = await Promise.all([fn.handler(inferEvent('u0')), fn.handler(inferEvent('u1'))]);
    expect(outputOf(a)).toEqual([1, 2, 3]);
    expect(outputOf(b)).toEqual([2, 3, 4]);
    const results = await Promise.all(['u0', 'u1', 'u2', 'u0', 'u2', 'u1'].map((m) => fn.handler(inferEvent(m))));
    expect(results.map((r) => outputOf(r)[0])).toEqual([1, 2, 3, 1, 3, 2]);
    expect(fn.repository.snapshot().loaded).toBe(1);
  });

  it('answers a model pushed after start within the TTL, and a removed one 404, without a restart', async () => {
    const prefix = `s3://${BUCKET}/live/`;
    await pushModels(prefix, ['first']);
    const fn = repositoryFunction({ prefix, indexTtlMs: 200 }, s3.client);
    expect((await fn.handler(inferEvent('first'))).statusCode).toBe(200);
    expect((await fn.handler(inferEvent('later'))).statusCode).toBe(404);

    await pushModels(prefix, ['later'], () => 42);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const later = await fn.handler(inferEvent('later'));
    expect(later.statusCode, later.body).toBe(200);
    expect(outputOf(later)).toEqual([42, 43, 44]);

    await removeFromRepository(s3.client, prefix, 'first');
    await new Promise((resolve) => setTimeout(resolve, 250));
    // A request for another model reads the new index: the removed model's session goes at once.
    expect((await fn.handler(inferEvent('later'))).statusCode).toBe(200);
    expect(fn.repository.snapshot()).toMatchObject({ loaded: 1, models: { first: { evictions: 1 } } });
    expect(fn.evictions.some((line) => line.includes('"model":"first","reason":"removed"'))).toBe(true);
    expect((await fn.handler(inferEvent('first'))).statusCode).toBe(404);
    // Pushed again as version 2 with another constant: the new pin is loaded, the old session gone.
    await pushToRepository(s3.client, addConstantFacts(tempDir('onnxless-repo-models-'), 'later', 7), { prefix, name: 'later' });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const again = await fn.handler(inferEvent('later', '/v2/models/later/versions/2/infer'));
    expect(outputOf(again)).toEqual([7, 8, 9]);
    expect(fn.repository.snapshot().models.later).toMatchObject({ loads: 2, evictions: 1 });
  });

  it('refuses with 503 a model whose bytes changed under its pin, while the others keep answering', async () => {
    const prefix = `s3://${BUCKET}/tampered/`;
    await pushModels(prefix, ['good', 'bad']);
    // The bytes of bad's model change in the store; the index still pins the manifest it pushed.
    const other = addConstantFacts(tempDir('onnxless-repo-models-'), 'evil', 1000);
    await s3.setupClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tampered/bad/1/manifest.json', Body: other.manifestText }));
    const fn = repositoryFunction({ prefix }, s3.client);

    const bad = await fn.handler(inferEvent('bad'));
    expect(bad.statusCode).toBe(503);
    expect(jsonBody(bad).error).toMatch(/bad/);
    const good = await fn.handler(inferEvent('good'));
    expect(outputOf(good)).toEqual([1, 2, 3]);
    expect((await fn.handler(inferEvent('bad'))).statusCode).toBe(503);
    expect(outputOf(await fn.handler(inferEvent('good')))).toEqual([1, 2, 3]);
  });

  it('answers 503 while the index cannot be read, naming the repository', async () => {
    const prefix = `s3://${BUCKET}/unreadable/`;
    await pushModels(prefix, ['m']);
    const fn = repositoryFunction({ prefix }, s3.client);
    s3.proxy.inject(
      { type: 'status', status: 403, code: 'AccessDenied' },
      1,
      (method, path) => method === 'GET' && path.endsWith('/unreadable/index.json'),
    );
    const refused = await fn.handler(inferEvent('m'));
    expect(refused.statusCode).toBe(503);
    expect(jsonBody(refused).error).toMatch(/repository 'customers': its index could not be read/);
    expect((await fn.handler(inferEvent('m'))).statusCode).toBe(200);
  });
});
