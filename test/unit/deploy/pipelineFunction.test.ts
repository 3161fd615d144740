import { describe, expect, it } from 'vitest';
import type { PlanContext } from '../../../lib/tools/deploy/DeploymentPlan';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { parseRegistry, RegistryError } from '../../../lib/core/registry/index';
import { servedModelWeights } from '../../../lib/core/registry/servedModels';

const GB = 1024 ** 3;
const ctx: PlanContext = {
  service: 'svc',
  stage: 'dev',
  runtime: 'nodejs22.x',
  naming: {
    getNormalizedFunctionName: (n) => n.replace(/-/g, 'Dash').replace(/^./, (c) => c.toUpperCase()),
    getLambdaLayerLogicalId: (n) => `${n}LambdaLayer`,
  },
  root: '/project',
  bundleExtension: '.cjs',
};

const member = (name: string, size?: number) => ({ weights: `s3://models/${name}/1/`, ...(size === undefined ? {} : { size }) });
const registry = (sizes: (number | undefined)[] = [GB, GB, GB], extra: Record<string, unknown> = {}) =>
  parseRegistry({
    bucket: { name: 'models', create: false },
    models: {
      tiny: { weights: 's3://models/tiny/1/' },
      ocr: {
        kind: 'pipeline',
        handler: 'handlers/ocr.handler',
        layers: ['sharp'],
        models: {
          detection: member('ocr-detection', sizes[0]),
          orientation: member('ocr-orientation', sizes[1]),
          recognition: member('ocr-recognition', sizes[2]),
        },
        ...extra,
      },
    },
  });

describe('a pipeline entry (kind: pipeline)', () => {
  it('is set apart from the single models, its members served as <pipeline>-<role>', () => {
    const parsed = registry();
    expect(Object.keys(parsed.models)).toEqual(['tiny']);
    expect(servedModelWeights(parsed).map(([name]) => name)).toEqual(['tiny', 'ocr-detection', 'ocr-orientation', 'ocr-recognition']);
  });

  it('is refused naming the field when a member lacks weights, a name is taken, or a field is unknown', () => {
    const problems = (raw: unknown) => {
      try {
        parseRegistry(raw);
      } catch (err) {
        return (err as RegistryError).problems;
      }
      return [];
    };
    expect(
      problems({
        bucket: { name: 'models' },
        models: { ocr: { kind: 'pipeline', handler: 'handlers/ocr.handler', models: { detection: {} } } },
      }),
    ).toEqual(["model 'ocr': models.detection.weights: required"]);
    expect(
      problems({
        bucket: { name: 'models' },
        models: {
          'ocr-detection': { weights: 's3://models/x/1/' },
          ocr: { kind: 'pipeline', handler: 'handlers/ocr.handler', models: { detection: member('d') } },
        },
      }),
    ).toEqual(["model 'ocr': models.detection: serves as model 'ocr-detection', a name another entry takes: rename one"]);
    expect(
      problems({
        bucket: { name: 'models' },
        models: { ocr: { kind: 'pipeline', handler: 'handlers/ocr.handler', package: 'image', models: { detection: member('d') } } },
      }),
    ).toEqual(["model 'ocr': unknown field 'package'"]);
  });
});

describe('the deployment plan of a pipeline', () => {
  it('makes one function with the pipeline route and every member OIP route, memory and /tmp for the sum', () => {
    const plan = planDeployment(registry(), ctx);
    const fn = plan.functions.ocr!;
    expect(Object.keys(plan.functions).sort()).toEqual(['ocr', 'server', 'tiny']);
    const paths = fn.events.map((e) => `${e.httpApi.method} ${e.httpApi.path}`);
    expect(paths).toContain('POST /models/ocr/predict');
    expect(paths).toContain('GET /v2/models/ocr/ready');
    // The pipeline's own name has no tensors: no metadata or infer route.
    expect(paths.filter((p) => p.startsWith('GET /v2/models/ocr') && !p.includes('ocr-') && !p.endsWith('/ready'))).toEqual([]);
    for (const m of ['ocr-detection', 'ocr-orientation', 'ocr-recognition']) {
      expect(paths).toContain(`POST /v2/models/${m}/infer`);
      expect(paths).toContain(`POST /v2/models/${m}/versions/1/infer`);
      expect(paths).not.toContain(`POST /models/${m}/predict`);
    }
    // 3 GB of weights: /tmp for 3.3 GB + 256 MB; memory three times the weights + 1 GB, capped at 10,240 MB.
    expect([fn.ephemeralStorageSize, fn.memorySize]).toEqual([Math.ceil((3 * GB * 1.1) / 2 ** 20) + 256, 10_240]);
    expect(JSON.parse(fn.environment.ONNXLESS_PIPELINE_MODELS!)).toEqual({
      detection: { name: 'ocr-detection', uri: 's3://models/ocr-detection/1/', version: '1' },
      orientation: { name: 'ocr-orientation', uri: 's3://models/ocr-orientation/1/', version: '1' },
      recognition: { name: 'ocr-recognition', uri: 's3://models/ocr-recognition/1/', version: '1' },
    });
    expect(fn.layers).toHaveLength(2);
  });

  it('gives its role read access to exactly the three members, nothing else', () => {
    const plan = planDeployment(registry(), ctx);
    const role = plan.resources.OcrOnnxlessRole as {
      Properties: { Policies: { PolicyDocument: { Statement: { Action: string[]; Resource: unknown[] }[] } }[] };
    };
    const s3 = role.Properties.Policies[0]!.PolicyDocument.Statement.filter((s) => s.Action.includes('s3:GetObject'));
    expect(s3).toHaveLength(1);
    expect(JSON.stringify(s3[0]!.Resource)).toBe(
      JSON.stringify(
        ['ocr-detection', 'ocr-orientation', 'ocr-recognition'].map((m) => ({
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::models/${m}/1/*`]],
        })),
      ),
    );
  });

  it('keeps the default memory and /tmp when a member size is unknown, and lists the members in the server catalog', () => {
    const plan = planDeployment(registry([GB, undefined, GB]), ctx);
    expect([plan.functions.ocr!.memorySize, plan.functions.ocr!.ephemeralStorageSize]).toEqual([2048, undefined]);
    expect(plan.functions.server!.environment.ONNXLESS_MODEL_CATALOG).toBe(
      'tiny@1,ocr+predict,ocr-detection@1,ocr-orientation@1,ocr-recognition@1',
    );
  });

  it('refuses members whose weights together exceed Lambda /tmp', () => {
    expect(() => planDeployment(registry([4 * GB, 4 * GB, 4 * GB]), ctx)).toThrow(/together need \d+ MB of \/tmp/);
  });
});
