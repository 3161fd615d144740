import { describe, expect, it } from 'vitest';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { parseRegistry, RegistryError } from '../../../lib/core/registry/index';
import { PLAN_CONTEXT } from './planContext';

const ctx = PLAN_CONTEXT;

const WEIGHTS = (m: string) => `s3://models-dev/${m}/1/model.onnx`;
const plan = (models: Record<string, Record<string, unknown>>) =>
  planDeployment(parseRegistry({ bucket: { name: 'models-dev' }, models }), ctx);

describe('registry: runtime per model', () => {
  it('keeps the provider runtime (nodejs22.x) unless a model names nodejs24.x, and the shared layer lists both', () => {
    const { functions, layers } = plan({
      old: { weights: WEIGHTS('old') },
      new: { weights: WEIGHTS('new'), runtime: 'nodejs24.x' },
      lambda: { weights: WEIGHTS('lambda'), runtime: 'lambda' },
    });
    expect(functions.old?.runtime).toBeUndefined();
    expect(functions.lambda?.runtime).toBeUndefined();
    expect(functions.new?.runtime).toBe('nodejs24.x');
    expect(layers.onnxruntimeX8664?.compatibleRuntimes).toEqual(['nodejs22.x', 'nodejs24.x']);
  });

  it('refuses a Node runtime it does not test on, naming the ones it does', () => {
    expect(() => plan({ m: { weights: WEIGHTS('m'), runtime: 'nodejs20.x' } })).toThrow(/nodejs22\.x.*nodejs24\.x/);
  });

  it('refuses a zip runtime on an image function', () => {
    expect(() => plan({ m: { weights: WEIGHTS('m'), runtime: 'nodejs24.x', package: 'image' } })).toThrow(RegistryError);
  });
});
