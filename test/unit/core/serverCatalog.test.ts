import { describe, expect, it } from 'vitest';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { parseRegistry } from '../../../lib/core/registry';
import { parseCatalog } from '../../../lib/core/http/modelCatalog';

const ctx = {
  service: 'svc',
  stage: 'dev',
  runtime: 'nodejs22.x',
  naming: { getNormalizedFunctionName: (n: string) => n.replace(/-/g, 'Dash'), getLambdaLayerLogicalId: (n: string) => `${n}LambdaLayer` },
  root: '/project',
  bundleExtension: '.js',
};

function registryOf(count: number) {
  const models = Object.fromEntries(
    Array.from({ length: count }, (_, i) => [`model-${i}`, { weights: `s3://bucket-x/model-${i}/1/model.onnx` }]),
  );
  return parseRegistry({ bucket: { name: 'bucket-x' }, models });
}

describe("the server function's model catalog", () => {
  it('lists every Lambda model with its version, so its 404s can name them', () => {
    const plan = planDeployment(registryOf(3), ctx);
    const catalog = parseCatalog(plan.functions.server?.environment.ONNXLESS_MODEL_CATALOG);
    expect(catalog).toEqual({
      'model-0': { versions: ['1'], predict: false },
      'model-1': { versions: ['1'], predict: false },
      'model-2': { versions: ['1'], predict: false },
    });
  });

  it("refuses a registry past CloudFormation's 500 resources, pointing to kind: repository; 1,000 models make 11,000", () => {
    expect(() => planDeployment(registryOf(30), ctx)).not.toThrow();
    expect(() => planDeployment(registryOf(1_000), ctx)).toThrow(
      /models: 1001 functions with 6005 routes make at least 11013 CloudFormation resources, over the 500 one stack may declare; serve the many small models from one function instead: a kind: repository entry/,
    );
  });
});
