import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServeConfig } from '../../../lib/serve/config';

const dir = mkdtempSync(join(tmpdir(), 'onnxless-serve-repository-'));
const noModelDir = { modelDir: join(dir, 'no-model-dir') };

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("serve's repository entry", () => {
  it("serves serverless.yml's kind: repository entry with its function's budgets, TTL and domain route", async () => {
    const config = file(
      'serverless.yml',
      `service: s
custom:
  onnxless:
    bucket: { name: my-models }
    models:
      tiny: { weights: 's3://my-models/tiny/1/model.onnx' }
      customers:
        kind: repository
        prefix: s3://my-models/customers/
        memorySize: 3008
        ephemeralStorage: 2048
        maxLoadedModels: 20
        indexTtlSeconds: 5
        handler: handlers/text-orientation.handler
`,
    );
    const served = await resolveServeConfig({ config, ...noModelDir }, {}, dir);
    expect(Object.keys(served.models)).toEqual(['tiny']);
    expect(served.repository).toEqual({
      name: 'customers',
      prefix: 's3://my-models/customers/',
      sessionMemoryMB: 3008 - 512,
      diskMB: Math.floor(2048 * 0.9),
      maxLoadedModels: 20,
      indexTtlSeconds: 5,
      pipeline: 'textOrientation',
      maxQueueSize: 128,
    });
  });

  it('serves a config file holding a repository and no models, with the defaults of a 2,048 MB function', async () => {
    const config = file('serve.yaml', 'repository:\n  prefix: s3://my-models/customers/\n');
    const served = await resolveServeConfig({ config, ...noModelDir }, {}, dir);
    expect(served.models).toEqual({});
    expect(served.repository).toMatchObject({ name: 'repository', sessionMemoryMB: 1536, diskMB: 460, indexTtlSeconds: 10 });
  });

  it('refuses a prefix that is not an S3 folder, naming the field', async () => {
    const config = file('bad.yaml', 'repository:\n  prefix: s3://my-models/customers\n');
    await expect(resolveServeConfig({ config, ...noModelDir }, {}, dir)).rejects.toThrow(/repository\.prefix.*ending in '\/'/);
  });
});
