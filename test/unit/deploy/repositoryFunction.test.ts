import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../../../lib/core/registry';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { PLAN_CONTEXT } from './planContext';

const registry = (entry: Record<string, unknown>, models: Record<string, unknown> = {}) =>
  parseRegistry({
    bucket: { name: 'models-bucket' },
    models: { ...models, customers: { kind: 'repository', prefix: 's3://models-bucket/customers/', ...entry } },
  });

describe('a kind: repository entry deploys', () => {
  it('one function with the model routes as path variables, its budgets in the environment', () => {
    const plan = planDeployment(
      registry({ memorySize: 3008, ephemeralStorage: 2048, maxLoadedModels: 50, indexTtlSeconds: 5 }),
      PLAN_CONTEXT,
    );
    const fn = plan.functions.customers!;
    expect(fn).toMatchObject({ handler: '.onnxless/handlers/repository.handler', memorySize: 3008, ephemeralStorageSize: 2048 });
    expect(fn.events.map((e) => `${e.httpApi.method} ${e.httpApi.path}`)).toEqual([
      'GET /v2/models/{model}',
      'GET /v2/models/{model}/versions/{version}',
      'GET /v2/models/{model}/ready',
      'GET /v2/models/{model}/versions/{version}/ready',
      'POST /v2/models/{model}/infer',
      'POST /v2/models/{model}/versions/{version}/infer',
    ]);
    expect(fn.environment).toEqual({
      ONNXLESS_REPOSITORY_NAME: 'customers',
      ONNXLESS_REPOSITORY_PREFIX: 's3://models-bucket/customers/',
      ONNXLESS_REPOSITORY_DISK_MB: '1843',
      ONNXLESS_REPOSITORY_MAX_MODELS: '50',
      ONNXLESS_REPOSITORY_INDEX_TTL_SECONDS: '5',
    });
    expect(fn.layers).toBeDefined();
  });

  it('a role that reads the objects under the prefix and nothing else', () => {
    const plan = planDeployment(registry({}), PLAN_CONTEXT);
    const role = JSON.stringify(Object.entries(plan.resources).find(([id]) => id.startsWith('customers'))![1]);
    expect(role).toContain('"Action":["s3:GetObject"]');
    expect(role).toContain(':s3:::models-bucket/customers/*');
    expect(role).not.toContain('s3:ListBucket');
  });

  it('with a handler, the shared domain route too; beside single models, which keep their literal routes', () => {
    const plan = planDeployment(
      registry({ handler: 'handlers/scores.handler' }, { tiny: { weights: 's3://models-bucket/tiny/1/' } }),
      PLAN_CONTEXT,
    );
    expect(plan.functions.customers!.handler).toBe('handlers/scores.handler');
    expect(plan.functions.customers!.events.map((e) => e.httpApi.path)).toContain('/models/{model}/predict');
    expect(plan.functions.tiny!.events.map((e) => e.httpApi.path)).toContain('/v2/models/tiny/infer');
  });

  it('1,000 models behind it take no more resources than one', () => {
    const plan = planDeployment(registry({}), PLAN_CONTEXT);
    expect(Object.keys(plan.functions)).toEqual(['customers', 'server']);
  });
});
