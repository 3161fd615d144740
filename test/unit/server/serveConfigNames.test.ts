import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../../lib/serve/config';

// Model names come from the caller (--model flags, the environment, a config file): each is
// looked up as an own key, never through Object.prototype.
describe("serve's model names", () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnxless-serve-names-'));
  const weights = join(dir, 'model.onnx');
  writeFileSync(weights, 'not read here');

  it('refuses __proto__ by name instead of dropping the model', async () => {
    await expect(resolveServeConfig({ models: [`__proto__=${weights}`, `a=${weights}`] }, {}, dir)).rejects.toThrow(/'__proto__'/);
  });

  it('serves a model named constructor, and refuses it as a default model where no model has the name', async () => {
    const config = await resolveServeConfig({ models: [`constructor=${weights}`] }, {}, dir);
    expect(Object.keys(config.models)).toEqual(['constructor']);
    await expect(resolveServeConfig({ models: [`a=${weights}`], defaultModel: 'constructor' }, {}, dir)).rejects.toThrow(
      /--default-model 'constructor' is not among the models/,
    );
    await expect(resolveServeConfig({ models: [`a=${weights}`], defaultModel: 'toString' }, {}, dir)).rejects.toThrow(
      /not among the models/,
    );
  });
});
