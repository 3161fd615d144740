import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushToRepository } from '../../../lib/tools/store/pushToRepository';
import { httpApiEvent, jsonBody } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { inferEvent } from '../../support/repositoryFunction';
import { addConstantFacts } from '../../support/repositoryModels';
import { pushManyModels } from '../../support/repositoryPush';
import { startPackagedFunction, type LambdaSandbox } from './lambdaSandbox';
import { ROOT, lambdaFunction, packageService, removeService, serviceConfig, type PackagedService } from './serviceFixture';

/**
 * A kind: repository entry as it ships: `serverless package` of the example registry with the
 * entry added, its function's zip as the task root and its layers in /opt (lambdaSandbox.ts),
 * Node 22, the index read through the SDK Lambda's runtime carries (the project's node_modules
 * stands in for /var/runtime/node_modules), real S3 protocol.
 */
const MODELS = 20;

describe('the repository function from its zip (Lambda layout, Node 22)', () => {
  let pkg: PackagedService;
  let s3: LocalS3;
  let scratch: string;
  let sandbox: LambdaSandbox;
  /** The server function: GET /openapi.json (and /docs) of the deployed API. */
  let server: LambdaSandbox;
  let prefix: string;

  beforeAll(async () => {
    pkg = await packageService(
      await serviceConfig((doc) =>
        doc.setIn(['custom', 'onnxless', 'models', 'customers'], {
          kind: 'repository',
          prefix: 's3://${self:custom.onnxless.bucket.name}/customers/',
          indexTtlSeconds: 1,
          maxLoadedModels: 5,
          metricModels: ['m0', 'm3'],
        }),
      ),
    );
    prefix = lambdaFunction(pkg.template, 'customers').Properties.Environment.Variables.ONNXLESS_REPOSITORY_PREFIX as string;
    scratch = await mkdtemp(path.join(os.tmpdir(), 'onnxless-repository-zip-'));
    const layerZips = new Map<string, string>();
    for (const layer of await readdir(path.join(ROOT, 'layers'))) {
      const dist = path.join(ROOT, 'layers', layer, 'dist');
      for (const file of await readdir(dist).catch(() => [])) if (file.endsWith('.zip')) layerZips.set(file, path.join(dist, file));
    }
    s3 = await startLocalS3([new URL(prefix).host]);
    await pushManyModels(
      s3.setupClient,
      prefix,
      Array.from({ length: MODELS }, (_, i) => `m${i}`),
    );
    const start = (key: string) =>
      startPackagedFunction({
        template: pkg.template,
        out: pkg.out,
        key,
        layerZip: (file) => {
          const zip = layerZips.get(file);
          if (!zip) throw new Error(`no layer zip ${file} (have ${[...layerZips.keys()].join(', ')})`);
          return zip;
        },
        s3Endpoint: s3.endpoint,
        cacheDir: path.join(scratch, key),
        runtimeModules: path.join(ROOT, 'node_modules'),
      });
    sandbox = await start('customers');
    server = await start('server');
  }, 300_000);

  afterAll(async () => {
    await sandbox?.stop();
    await server?.stop();
    await s3?.close();
    await removeService(pkg);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('deploys one function on the model routes as path variables, reading only its prefix', () => {
    const fn = lambdaFunction(pkg.template, 'customers').Properties;
    expect(fn.Handler).toBe('.onnxless/handlers/repository.handler');
    expect(fn.Environment.Variables).toMatchObject({
      ONNXLESS_REPOSITORY_NAME: 'customers',
      ONNXLESS_REPOSITORY_MAX_MODELS: '5',
      ONNXLESS_REPOSITORY_METRIC_MODELS: 'm0,m3',
    });
    const role = Object.values(pkg.template.Resources).find(
      (r) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties).includes('"PolicyName":"onnxless-customers"'),
    );
    const reads = JSON.stringify(role?.Properties).match(/:s3:::[^"]*/g);
    expect(reads).toEqual([`:s3:::${new URL(prefix).host}/customers/*`]);
  });

  it('answers every model with its own output under a budget of 5, and a model pushed after start within the TTL', async () => {
    for (let i = 0; i < MODELS; i++) {
      const result = await sandbox.invoke(inferEvent(`m${i}`));
      expect(result.statusCode, result.body).toBe(200);
      expect((jsonBody(result as never) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data).toEqual([i + 1, i + 2, i + 3]);
    }
    expect((await sandbox.invoke(inferEvent('added'))).statusCode).toBe(404);
    await pushToRepository(s3.setupClient, addConstantFacts(scratch, 'added', 500), { prefix, name: 'added' });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const added = await sandbox.invoke(inferEvent('added'));
    expect(added.statusCode, added.body).toBe(200);
    expect((jsonBody(added as never) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data).toEqual([500, 501, 502]);
  }, 120_000);

  it("gives only metricModels' models a CloudWatch model dimension of their own; the rest count under _other, named in each document", async () => {
    for (const model of ['m0', 'm1', 'm3', 'm7']) expect((await sandbox.invoke(inferEvent(model))).statusCode).toBe(200);
    const documents = sandbox.output
      .split('\n')
      .filter((line) => line.startsWith('{"_aws"'))
      .map((line) => JSON.parse(line) as { model: string; modelName?: string; Requests?: number; ModelEvictions?: number });
    const requests = documents.filter((d) => d.Requests === 1);
    const seen = new Set(requests.map((d) => `${d.model}/${d.modelName ?? ''}`));
    for (const own of ['m0/', 'm3/']) expect(seen).toContain(own);
    for (const other of ['_other/m1', '_other/m7']) expect(seen).toContain(other);
    // No model outside the list is a dimension value: not in requests, loads or evictions.
    const dimensions = new Set(documents.map((d) => d.model));
    expect([...dimensions].filter((m) => !['m0', 'm3', '_other', 'none'].includes(m))).toEqual([]);
    expect(documents.some((d) => d.ModelEvictions === 1 && d.model === '_other')).toBe(true);
  }, 120_000);

  it("describes the repository's routes in the deployed API's /openapi.json, with the model and version as path variables", async () => {
    const answer = await server.invoke(httpApiEvent('GET', '/openapi.json'));
    expect(answer.statusCode).toBe(200);
    const document = jsonBody(answer as never) as {
      paths: Record<
        string,
        Record<string, { operationId: string; tags: string[]; security?: unknown; parameters?: Array<{ name: string; in: string }> }>
      >;
      tags: Array<{ name: string }>;
    };
    const infer = document.paths['/v2/models/{model}/infer']!.post!;
    expect(infer).toMatchObject({ operationId: 'infer_repository', tags: ['repository customers'] });
    expect(infer.parameters!.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(['model']);
    const versioned = document.paths['/v2/models/{model}/versions/{version}/infer']!.post!;
    expect(versioned.parameters!.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(['model', 'version']);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v2/models/{model}', '/v2/models/{model}/ready', '/v2/models/tiny/infer']),
    );
    // No handler on the entry: no shared domain route.
    expect(document.paths['/models/{model}/predict']).toBeUndefined();
    expect(document.tags.map((t) => t.name)).toContain('repository customers');
    expect((await server.invoke(httpApiEvent('GET', '/docs'))).statusCode).toBe(200);
  });
});
