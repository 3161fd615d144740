import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRegistryText } from '../../../lib/core/registry/index';
import { projectModelSources } from '../../../lib/tools/local/projectModels';
import { tempDir } from '../../support/testHandler';

/**
 * Issue 27, item 9, past the CLI: every name a user writes (a model in serverless.yml, a variable,
 * a folder under models/) is looked up as an own key. A plain object answers `__proto__` and
 * `constructor` from Object.prototype, which made an entry vanish or a variable resolve to a function.
 */
const registryWith = (models: string, bucket = "'models-dev'") => `service: s
custom:
  onnxless:
    bucket:
      name: ${bucket}
    models:
${models}`;

describe('names looked up as own keys', () => {
  it('refuses a model named __proto__ by the name rule, never dropping it unseen', () => {
    const text = registryWith(
      '      __proto__:\n        weights: s3://models-dev/x/1/\n      tiny:\n        weights: s3://models-dev/tiny/1/\n',
    );
    expect(() => readRegistryText(text, { env: {} })).toThrow(/__proto__/);
  });

  it('refuses a pipeline role named __proto__, naming the pipeline and the role, never dropping it unseen', () => {
    const text = registryWith(
      [
        '      ocr:',
        '        kind: pipeline',
        '        handler: handlers/ocr.pipeline',
        '        models:',
        '          detection:',
        '            weights: s3://models-dev/det/1/',
        '          __proto__:',
        '            weights: s3://models-dev/x/1/',
        '',
      ].join('\n'),
    );
    expect(() => readRegistryText(text, { env: {} })).toThrow(/model 'ocr': models: role '__proto__' is not a role/);
  });

  it('keeps a model named constructor, a valid name, as a model like any other', () => {
    const text = registryWith('      constructor:\n        weights: s3://models-dev/constructor/1/\n');
    expect(Object.keys(readRegistryText(text, { env: {} }).models)).toEqual(['constructor']);
  });

  it("reads ${env:constructor} and ${self:...constructor} as unset: their fallback, never Object's function", () => {
    const env = readRegistryText(
      registryWith('      tiny:\n        weights: s3://models-dev/tiny/1/\n', "${env:constructor, 'from-fallback'}"),
      {
        env: {},
      },
    );
    expect(env.bucket.name).toBe('from-fallback');
    const self = readRegistryText(
      registryWith('      tiny:\n        weights: s3://models-dev/tiny/1/\n', "${self:custom.onnxless.constructor, 'self-fallback'}"),
      { env: {} },
    );
    expect(self.bucket.name).toBe('self-fallback');
  });

  it('gives the local stack files only for the folders under models/, a __proto__ folder among them', async () => {
    const project = tempDir();
    for (const folder of ['__proto__', 'constructor']) {
      mkdirSync(join(project, 'models', folder), { recursive: true });
      writeFileSync(join(project, 'models', folder, 'model.onnx'), 'not read here');
    }
    const sources = await projectModelSources(project);
    expect(Object.getPrototypeOf(sources)).toBe(Object.prototype);
    expect(Object.hasOwn(sources, '__proto__')).toBe(true);
    expect(Object.hasOwn(sources, 'constructor')).toBe(true);
    expect(Object.hasOwn(sources, 'toString')).toBe(false);
  });
});
