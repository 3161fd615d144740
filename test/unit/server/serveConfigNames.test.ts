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

  it('refuses a pipeline role named __proto__, naming it, instead of dropping the role', async () => {
    // prepare: a config file (JSON is YAML) whose OCR pipeline has a role '__proto__' beside its three
    const config = join(dir, 'proto-role.json');
    writeFileSync(
      config,
      `{"models": {"a": {"weights": ${JSON.stringify(weights)}}},
        "pipelines": {"ocr": {"pipeline": "ocr", "models": {"detection": "a", "orientation": "a", "recognition": "a", "__proto__": "a"}}}}`,
    );

    // act and assess: the start fails naming the pipeline and the role
    await expect(resolveServeConfig({ config }, {}, dir)).rejects.toThrow(/pipeline 'ocr': role '__proto__' is not a role/);
  });

  it('refuses a pipeline named __proto__', async () => {
    const config = join(dir, 'proto-pipeline.json');
    writeFileSync(
      config,
      `{"models": {"a": {"weights": ${JSON.stringify(weights)}}}, "pipelines": {"__proto__": {"pipeline": "ocr", "models": {"detection": "a"}}}}`,
    );
    await expect(resolveServeConfig({ config }, {}, dir)).rejects.toThrow(/pipeline name '__proto__' cannot be served/);
  });
});
