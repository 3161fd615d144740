import { describe, expect, it } from 'vitest';
import { PowertoolsSink } from '../../../lib/core/observability/PowertoolsSink';
import { boundedModelDimension } from '../../../lib/core/observability/modelDimension';
import { repositoryLog } from '../../../lib/core/observability/repositoryLog';
import type { RequestRecord } from '../../../lib/core/observability/records';
import { parseRegistry } from '../../../lib/core/registry';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { repositoryConfigFromEnv } from '../../../lib/lambda/repositoryConfigFromEnv';
import { PLAN_CONTEXT } from '../deploy/planContext';

const request = (model: string | undefined): RequestRecord => ({
  model,
  route: '/v2/models/{model}/infer',
  method: 'POST',
  status: 200,
  coldStart: false,
  durations: { total: 1 },
  requestBytes: 1,
  responseBytes: 1,
});

type Doc = { _aws?: unknown; model: string; modelName?: string; requestId?: string };

function documents(lines: string[]): Doc[] {
  return lines.map((l) => JSON.parse(l) as Doc).filter((d) => d._aws !== undefined);
}

describe("a repository's metricModels: the CloudWatch model dimension bounded by a list fixed at deploy", () => {
  it('keeps the listed models their own dimension, puts every other under _other with its name beside it, and leaves unmatched routes at none', () => {
    const lines: string[] = [];
    const sink = new PowertoolsSink({ write: (l) => lines.push(l), modelDimension: boundedModelDimension(['a', 'b']) });
    for (const model of ['a', 'x', 'b', 'y', undefined]) sink.onRequest(request(model));
    sink.onLoad({ model: 'z', outcome: 'loaded', durationMs: 5, origin: 's3' } as never);
    expect(documents(lines).map((d) => [d.model, d.modelName])).toEqual([
      ['a', undefined],
      ['_other', 'x'],
      ['b', undefined],
      ['_other', 'y'],
      ['none', undefined],
      ['_other', 'z'],
    ]);
  });

  it('an empty list puts every model under _other; no list keeps every model its own (the default)', () => {
    expect(['a', 'b'].map(boundedModelDimension([])!)).toEqual(['_other', '_other']);
    expect(boundedModelDimension(undefined)).toBeUndefined();
    const lines: string[] = [];
    new PowertoolsSink({ write: (l) => lines.push(l) }).onRequest(request('x'));
    expect(documents(lines)[0]).toMatchObject({ model: 'x' });
    expect(documents(lines)[0]!.modelName).toBeUndefined();
  });

  it("bounds the eviction documents' dimension the same way", () => {
    const lines: string[] = [];
    const log = repositoryLog({ write: (l) => lines.push(l), modelDimension: boundedModelDimension(['a']) });
    for (const model of ['a', 'x']) log({ repository: 'r', model, reason: 'budget', idleMs: 1, residentBytes: 2, loaded: 3 });
    expect(documents(lines).map((d) => d.model)).toEqual(['a', '_other']);
    // The log line keeps the model's name: operators search evictions by model.
    expect(lines.filter((l) => l.includes('"model eviction"')).map((l) => (JSON.parse(l) as Doc).model)).toEqual(['a', 'x']);
  });

  it('travels from the registry entry to the function: planned into its environment, read back, refused when not a model name', () => {
    const plan = planDeployment(
      parseRegistry({
        bucket: { name: 'models-bucket' },
        models: { customers: { kind: 'repository', prefix: 's3://models-bucket/customers/', metricModels: ['gold-1', 'gold-2'] } },
      }),
      PLAN_CONTEXT,
    );
    const env = plan.functions.customers!.environment as Record<string, string>;
    expect(env.ONNXLESS_REPOSITORY_METRIC_MODELS).toBe('gold-1,gold-2');
    const base = { ONNXLESS_REPOSITORY_NAME: 'customers', ONNXLESS_REPOSITORY_PREFIX: 's3://models-bucket/customers/' };
    expect(repositoryConfigFromEnv({ ...base, ...env }).metricModels).toEqual(['gold-1', 'gold-2']);
    expect(repositoryConfigFromEnv({ ...base, ONNXLESS_REPOSITORY_METRIC_MODELS: '' }).metricModels).toEqual([]);
    expect(repositoryConfigFromEnv(base).metricModels).toBeUndefined();
    expect(() => repositoryConfigFromEnv({ ...base, ONNXLESS_REPOSITORY_METRIC_MODELS: 'ok,Not_A_Name' })).toThrow(
      /'Not_A_Name' is not a model name/,
    );
  });

  it('refuses more than 100 models or a name that is not one at parse time', () => {
    const parse = (metricModels: unknown) => () =>
      parseRegistry({
        bucket: { name: 'models-bucket' },
        models: { customers: { kind: 'repository', prefix: 's3://models-bucket/c/', metricModels } },
      });
    expect(parse(Array.from({ length: 101 }, (_, i) => `m${i}`))).toThrow(/metricModels/);
    expect(parse(['UPPER'])).toThrow(/model name/);
    expect(parse(Array.from({ length: 100 }, (_, i) => `m${i}`))).not.toThrow();
  });
});
