import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getPipeline } from '../../../lib/core/builtins';
import type { OpenApiDocument } from '../../../lib/core/openapi/types';
import type { ServeConfigInput } from '../../../lib/serve/config';
import { InferenceSession } from 'onnxruntime-node';
import { OnnxRunner } from '../../../lib/core/onnx/OnnxRunner';
import { inspectModel, modelFilesAt } from '../../../lib/tools/store/inspectModel';
import { pushToRepository, removeFromRepository } from '../../../lib/tools/store/pushToRepository';
import { REAL_MODELS } from '../../support/realModels';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { writeModel } from '../../support/onnxModels';
import { addConstantFacts, addConstantModel } from '../../support/repositoryModels';
import { pushManyModels } from '../../support/repositoryPush';
import { call, REPO, spawnServer, startTestServer, tempDir } from './helpers';
import { writeModels } from './models';
import { validateOpenApi } from '../../unit/openapi/openApiAssertions';

/**
 * A model repository on `onnxless serve`, through real HTTP: add-constant models pushed to the
 * local S3 server (s3rver behind S3's conditional writes), their sessions on the worker threads.
 */
const BUCKET = 'repo-serve';
let s3: LocalS3;
const servers: Array<Awaited<ReturnType<typeof startTestServer>>> = [];
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.drain(5_000)));
});
afterAll(async () => s3?.close());

const infer = { inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [0, 1, 2] }] };

async function serve(repository: NonNullable<ServeConfigInput['repository']>, extra: Partial<ServeConfigInput> = {}) {
  const server = await startTestServer(
    { workers: 2, cacheDir: tempDir('onnxless-repo-serve-'), repository, ...extra },
    { s3Client: s3.client },
  );
  servers.push(server);
  return server;
}

/** Model `names[i]` adds `constantOf(i)` (default i + 1). */
const pushModels = (prefix: string, names: readonly string[], constantOf?: (i: number) => number) =>
  pushManyModels(s3.client, prefix, names, constantOf);

async function outputOf(base: string, model: string, path = `/v2/models/${model}/infer`): Promise<number[]> {
  const reply = await call(base, 'POST', path, infer);
  expect(reply.status, reply.body.toString()).toBe(200);
  return reply.json<{ outputs: Array<{ data: number[] }> }>().outputs[0]!.data;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a repository on onnxless serve', () => {
  it('serves each of 30 models with its own output, its version route, its state in the index and its counts on /metrics', async () => {
    const prefix = `s3://${BUCKET}/all/`;
    const names = Array.from({ length: 30 }, (_, i) => `m${i}`);
    await pushModels(prefix, names);
    const server = await serve({ name: 'customers', prefix });

    // Two at a time: loads of different models overlap, each answering its own constant.
    for (let i = 0; i < names.length; i += 2) {
      const pair = names.slice(i, i + 2);
      const outputs = await Promise.all(pair.map((name) => outputOf(server.url, name)));
      outputs.forEach((output, j) => expect(output).toEqual([i + j + 1, i + j + 2, i + j + 3]));
    }
    expect(await outputOf(server.url, 'm3', '/v2/models/m3/versions/1/infer')).toEqual([4, 5, 6]);
    expect((await call(server.url, 'POST', '/v2/models/m3/versions/2/infer', infer)).status).toBe(404);
    const unknown = await call(server.url, 'POST', '/v2/models/nope/infer', infer);
    expect([unknown.status, unknown.json()]).toEqual([404, { error: "unknown model 'nope': repository 'customers' does not list it" }]);
    expect((await call(server.url, 'GET', '/v2/models/m7')).json()).toMatchObject({ name: 'm7', versions: ['1'] });

    expect(server.repository!.snapshot()).toMatchObject({ loaded: 30, totals: { loads: 30, hits: 2, evictions: 0 } }); // m3's version route and m7's metadata
    const index = (await call(server.url, 'POST', '/v2/repository/index', {})).json<Array<{ name: string; state: string }>>();
    expect(index).toHaveLength(30);
    expect(index.find((m) => m.name === 'm12')).toEqual({ name: 'm12', version: '1', state: 'READY', reason: '' });
    const metrics = (await call(server.url, 'GET', '/metrics')).body.toString();
    expect(metrics).toContain('onnxless_repository_model_loads_total{repository="customers",model="m3"} 1');
    expect(metrics).toContain('onnxless_repository_model_hits_total{repository="customers",model="m3"} 1');
    expect(metrics).toContain('onnxless_repository_loaded_models{repository="customers"} 30');
    expect(metrics).toContain('# TYPE onnxless_repository_model_loads_total counter');
    // A repository model's name is a label once its index lists it, as a configured model's is.
    expect(metrics).toMatch(/onnxless_requests_total\{model="m3",route="[^"]*infer",status="200"\} 2/);
  });

  it('with a budget of 5 loaded models, a sequence over 12 models loads, hits and evicts as least-recently-used says', async () => {
    const prefix = `s3://${BUCKET}/budget/`;
    const names = Array.from({ length: 12 }, (_, i) => `b${i}`);
    await pushModels(prefix, names);
    const server = await serve({ prefix, maxLoadedModels: 5 });

    // 0..11 in order (12 loads, 7 evictions), 7..11 again (all loaded: 5 hits), then 0..2 (3 loads, 3 evictions).
    const sequence = [...names, ...names.slice(7), ...names.slice(0, 3)];
    for (const name of sequence) expect((await outputOf(server.url, name))[0]).toBe(Number(name.slice(1)) + 1);

    const snapshot = server.repository!.snapshot();
    expect(snapshot.totals).toEqual({ loads: 15, hits: 5, evictions: 10 });
    expect(snapshot.loaded).toBe(5);
    expect(snapshot.models.b0).toMatchObject({ loads: 2, hits: 0, evictions: 1 });
    expect(snapshot.models.b7).toMatchObject({ loads: 1, hits: 1, evictions: 1 });
    expect(snapshot.models.b11).toMatchObject({ loads: 1, hits: 1, evictions: 0 });
    const evictions = server.logs.filter((l) => l.message === 'model eviction');
    expect(evictions).toHaveLength(10);
    expect(evictions[0]!.fields).toMatchObject({ repository: 'repository', model: 'b0', reason: 'budget', loaded: 5 });
    // The evicted models' sessions are released on the worker threads: each answers again after a fresh load.
    expect(await outputOf(server.url, 'b3')).toEqual([4, 5, 6]);
    expect(server.repository!.snapshot().models.b3).toMatchObject({ loads: 2 });
  });

  it('unloads a repository model and a configured one on Triton unload; the next request loads each again', async () => {
    const prefix = `s3://${BUCKET}/unload/`;
    await pushModels(prefix, ['r1'], () => 10);
    const weights = writeModel(`${tempDir()}/plus5.onnx`, addConstantModel(5));
    const server = await serve({ prefix }, { models: { plus5: { weights, eager: false } } });
    expect(await outputOf(server.url, 'r1')).toEqual([10, 11, 12]);
    expect(await outputOf(server.url, 'plus5')).toEqual([5, 6, 7]);

    for (const name of ['r1', 'plus5']) {
      const unload = await call(server.url, 'POST', `/v2/repository/models/${name}/unload`);
      expect([unload.status, unload.json()]).toEqual([200, {}]);
    }
    await expect.poll(async () => (await call(server.url, 'POST', '/v2/repository/index', { ready: true })).json()).toEqual([]);
    expect((await call(server.url, 'POST', '/v2/repository/index', {})).json()).toEqual([
      { name: 'plus5', state: 'UNAVAILABLE', reason: 'unloaded: its next request loads it again' },
      { name: 'r1', version: '1', state: 'UNAVAILABLE', reason: 'not loaded: its first request loads it' },
    ]);
    expect((await call(server.url, 'GET', '/ping')).status).toBe(200);
    expect(server.repository!.snapshot().models.r1).toMatchObject({ loads: 1, evictions: 1 });
    expect(server.logs.find((l) => l.message === 'model eviction')?.fields).toMatchObject({ model: 'r1', reason: 'unloaded' });

    expect(await outputOf(server.url, 'r1')).toEqual([10, 11, 12]);
    expect(await outputOf(server.url, 'plus5')).toEqual([5, 6, 7]);
    expect(server.repository!.snapshot().models.r1).toMatchObject({ loads: 2 });
    // Triton's load brings an unloaded model back too; an unknown name is a 404 naming the repository.
    await call(server.url, 'POST', '/v2/repository/models/r1/unload');
    expect((await call(server.url, 'POST', '/v2/repository/models/r1/load')).status).toBe(200);
    expect(server.repository!.snapshot().models.r1).toMatchObject({ loads: 3 });
    const unknown = await call(server.url, 'POST', '/v2/repository/models/nope/unload');
    expect([unknown.status, unknown.json()]).toEqual([
      404,
      { error: "unknown model 'nope' (nor listed by repository 'repository'); served here: plus5" },
    ]);
  });

  it('lets the runs in flight finish before an unload releases the sessions, and fails none of the calls', async () => {
    const paths = writeModels(tempDir());
    const server = await startTestServer({ workers: 2, models: { slow: { weights: paths.slow, eager: false } } });
    servers.push(server);
    const slowInfer = (x: number) => ({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [x] }] });
    expect((await call(server.url, 'POST', '/v2/models/slow/infer', slowInfer(0))).status).toBe(200);

    const calls = [1, 2, 3, 4].map((x) => call(server.url, 'POST', '/v2/models/slow/infer', slowInfer(x)));
    await expect.poll(() => server.pool.queued + (server.models[0]!.pooledLoader.queue?.queued ?? 0)).toBeGreaterThan(0);
    const unload = await call(server.url, 'POST', '/v2/repository/models/slow/unload');
    expect(unload.status).toBe(200);
    const replies = await Promise.all(calls);
    expect(replies.map((r) => [r.status, r.json().outputs?.[0]?.data[0]])).toEqual([
      [200, 1],
      [200, 2],
      [200, 3],
      [200, 4],
    ]);
    expect((await call(server.url, 'POST', '/v2/models/slow/infer', slowInfer(5))).json().outputs[0].data).toEqual([5]);
  });

  it('answers a model pushed after start within the TTL, and a removed one 404, without a restart', async () => {
    const prefix = `s3://${BUCKET}/live/`;
    await pushModels(prefix, ['first']);
    const server = await serve({ prefix, indexTtlSeconds: 1 });
    expect(await outputOf(server.url, 'first')).toEqual([1, 2, 3]);
    expect((await call(server.url, 'POST', '/v2/models/later/infer', infer)).status).toBe(404);

    await pushModels(prefix, ['later'], () => 42);
    await sleep(1_100);
    expect(await outputOf(server.url, 'later')).toEqual([42, 43, 44]);

    await removeFromRepository(s3.client, prefix, 'first');
    await sleep(1_100);
    expect((await call(server.url, 'POST', '/v2/models/first/infer', infer)).status).toBe(404);
    expect(server.repository!.snapshot()).toMatchObject({ loaded: 1, models: { first: { evictions: 1 } } });
    expect(server.logs.some((l) => l.message === 'model eviction' && l.fields.reason === 'removed')).toBe(true);
  });

  it('gives the first labelledModels repository models a metrics label of their own and counts the rest under _other', async () => {
    const prefix = `s3://${BUCKET}/labels/`;
    const names = Array.from({ length: 6 }, (_, i) => `l${i}`);
    await pushModels(prefix, names);
    const server = await serve({ name: 'customers', prefix, labelledModels: 3 });

    for (const name of names) await outputOf(server.url, name);
    for (const name of names) await outputOf(server.url, name);

    const metrics = (await call(server.url, 'GET', '/metrics')).body.toString();
    // Every series of every metric: the server routes' empty label and the cold loads' flow aside, 3 models and _other.
    const labelled = new Set([...metrics.matchAll(/\bmodel="([^"]*)"/g)].map((m) => m[1]));
    expect([...labelled].filter((l) => l !== '' && l !== 'cold loads').sort()).toEqual(['_other', 'l0', 'l1', 'l2']);
    expect(metrics).toContain('onnxless_repository_model_loads_total{repository="customers",model="l0"} 1');
    expect(metrics).toContain('onnxless_repository_model_loads_total{repository="customers",model="_other"} 3');
    expect(metrics).toContain('onnxless_repository_model_hits_total{repository="customers",model="_other"} 3');
    expect(metrics).toMatch(/onnxless_requests_total\{model="_other",route="[^"]*infer",status="200"\} 6/);
    expect(metrics).toContain('onnxless_repository_loaded_models{repository="customers"} 6');
  });

  it('refuses with 503 a model whose bytes changed under its pin, while the others keep answering', async () => {
    const prefix = `s3://${BUCKET}/tampered/`;
    await pushModels(prefix, ['good', 'bad']);
    const other = addConstantFacts(tempDir('onnxless-repo-models-'), 'evil', 1000);
    await s3.setupClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tampered/bad/1/manifest.json', Body: other.manifestText }));
    const server = await serve({ prefix });

    const bad = await call(server.url, 'POST', '/v2/models/bad/infer', infer);
    expect(bad.status).toBe(503);
    expect(bad.json().error).toMatch(/bad/);
    expect(await outputOf(server.url, 'good')).toEqual([1, 2, 3]);
    expect((await call(server.url, 'POST', '/v2/models/bad/infer', infer)).status).toBe(503);
    expect(await outputOf(server.url, 'good')).toEqual([1, 2, 3]);

    // Triton's index gives the failure's reason, redacted as the 503's body is.
    const index = (await call(server.url, 'POST', '/v2/repository/index')).json<Array<{ name: string; state: string; reason: string }>>();
    expect(index.find((m) => m.name === 'good')).toMatchObject({ state: 'READY', reason: '' });
    const listed = index.find((m) => m.name === 'bad')!;
    expect(listed).toMatchObject({ state: 'UNAVAILABLE', reason: expect.stringMatching(/^its last load failed: .*bad/) });
    expect(listed.reason).not.toMatch(new RegExp(`${BUCKET}|tampered/|[0-9a-f]{64}|${tmpdir()}`));
  });

  it("describes the repository's routes in /openapi.json with the model and version as path variables, beside a configured model's", async () => {
    const prefix = `s3://${BUCKET}/described/`;
    const weights = writeModel(`${tempDir()}/plus5.onnx`, addConstantModel(5));
    const server = await startTestServer(
      {
        workers: 1,
        cacheDir: tempDir('onnxless-repo-serve-'),
        models: { plus5: { weights, eager: false } },
        repository: { name: 'customers', prefix, pipeline: 'textOrientation' },
      },
      { s3Client: s3.client, resolvePipeline: getPipeline },
    );
    servers.push(server);
    const document = (await call(server.url, 'GET', '/openapi.json')).json<{
      paths: Record<string, Record<string, { operationId: string; tags: string[]; parameters?: Array<{ name: string; in: string }> }>>;
      tags: Array<{ name: string }>;
    }>();
    const infer = document.paths['/v2/models/{model}/infer']!.post!;
    expect(infer).toMatchObject({ operationId: 'infer_repository', tags: ['repository customers'] });
    expect(infer.parameters!.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(['model']);
    const versioned = document.paths['/v2/models/{model}/versions/{version}/infer']!.post!;
    expect(versioned.parameters!.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(['model', 'version']);
    expect(document.paths['/models/{model}/predict']!.post!.operationId).toBe('predict_repository');
    expect(document.paths['/v2/models/plus5/infer']!.post!.tags).toEqual(['plus5']);
    expect(document.tags.map((t) => t.name)).toContain('repository customers');
    await validateOpenApi(document as unknown as OpenApiDocument);
    expect((await call(server.url, 'GET', '/docs')).status).toBe(200);
  });

  it("answers the entry's shared domain route for each repository model, as the pipeline on a direct session does", async () => {
    const prefix = `s3://${BUCKET}/domain/`;
    const facts = await inspectModel((await modelFilesAt(REAL_MODELS.textOrientation)).files, REAL_MODELS.textOrientation);
    for (const name of ['lines-a', 'lines-b']) await pushToRepository(s3.client, facts, { prefix, name });
    const server = await startTestServer(
      { workers: 1, cacheDir: tempDir('onnxless-repo-serve-'), repository: { prefix, pipeline: 'textOrientation' } },
      { s3Client: s3.client, resolvePipeline: getPipeline },
    );
    servers.push(server);
    const sharp = (await import('sharp')).default;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="48"><rect width="100%" height="100%" fill="white"/><text x="8" y="34" font-size="28" font-family="sans-serif">onnxless 2026</text></svg>`;
    const image = await sharp(Buffer.from(svg)).png().toBuffer();
    const direct = new OnnxRunner(await InferenceSession.create(REAL_MODELS.textOrientation));
    const expected = await getPipeline('textOrientation').predict({ contentType: 'image/png', body: image, query: {} }, direct);

    // SageMaker's header with an image, as the server's first request: the repository model's domain route.
    const invoked = await call(server.url, 'POST', '/invocations', image, {
      'content-type': 'image/png',
      'x-amzn-sagemaker-target-model': 'lines-b',
    });
    expect([invoked.status, invoked.json()]).toEqual([200, expected]);
    for (const name of ['lines-a', 'lines-b']) {
      const reply = await call(server.url, 'POST', `/models/${name}/predict`, image, { 'content-type': 'image/png' });
      expect([reply.status, reply.json()]).toEqual([200, expected]);
    }
    expect((await call(server.url, 'POST', '/models/nope/predict', image, { 'content-type': 'image/png' })).status).toBe(404);
  });

  it('routes /invocations to the repository model X-Amzn-SageMaker-Target-Model names, loaded on first use', async () => {
    const prefix = `s3://${BUCKET}/sagemaker/`;
    await pushModels(prefix, ['customer-42', 'customer-7'], (i) => [42, 7][i]!);
    const server = await serve({ prefix });
    const invoke = async (target: string) => {
      const reply = await call(server.url, 'POST', '/invocations', infer, { 'X-Amzn-SageMaker-Target-Model': target });
      expect(reply.status, reply.body.toString()).toBe(200);
      return reply.json<{ outputs: Array<{ data: number[] }> }>().outputs[0]!.data;
    };
    expect(await invoke('customer-42.tar.gz')).toEqual([42, 43, 44]);
    expect(await invoke('customer-7')).toEqual([7, 8, 9]);
    expect(server.repository!.snapshot().totals).toMatchObject({ loads: 2 });
    const unknown = await call(server.url, 'POST', '/invocations', infer, { 'x-amzn-sagemaker-target-model': 'nope' });
    expect(unknown.status).toBe(404);
  });
});

describe('npx onnxless serve --local with a kind: repository entry', () => {
  it("serves serverless.yml's repository from a real process; a model pushed after start answers within the TTL", async () => {
    const project = tempDir('onnxless-project-');
    writeFileSync(
      join(project, 'serverless.yml'),
      [
        'service: demo',
        'provider: { name: aws, stage: dev }',
        'custom:',
        '  onnxless:',
        `    bucket: { name: ${BUCKET} }`,
        '    models:',
        '      customers:',
        '        kind: repository',
        `        prefix: s3://${BUCKET}/process/`,
        '        indexTtlSeconds: 1',
      ].join('\n'),
    );
    mkdirSync(join(project, '.local'));
    await pushModels(`s3://${BUCKET}/process/`, ['c1', 'c2'], (i) => [11, 22][i]!);
    const env = {
      ONNXLESS_LOCAL_DIR: join(project, '.local'),
      ONNXLESS_LOCAL_S3_PORT: new URL(s3.serverEndpoint).port,
      ONNXLESS_MODEL_DIR: tempDir(),
    };
    const cli = join(REPO, 'bin/onnxless.mjs');
    const server = await spawnServer(
      ['node', cli, 'serve', '--local', '--port', '0', '--host', '127.0.0.1', '--workers', '1'],
      env,
      30_000,
      project,
    );
    try {
      expect(await outputOf(server.url, 'c1')).toEqual([11, 12, 13]);
      expect(await outputOf(server.url, 'c2')).toEqual([22, 23, 24]);
      await pushModels(`s3://${BUCKET}/process/`, ['c3'], () => 33);
      await sleep(1_100);
      expect(await outputOf(server.url, 'c3')).toEqual([33, 34, 35]);
      expect(server.stdout()).toContain('"repository":{"name":"customers"');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
