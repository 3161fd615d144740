import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRegistryText, setModelEntry, setModelEntryText, removeModelEntryText } from '../../../lib/core/registry/index';

const SERVERLESS_YML = `# the service
service: onnxless
provider:
  name: aws
  stage: \${opt:stage, 'dev'}

custom:
  onnxless:
    bucket:
      # global names: override with ONNXLESS_BUCKET
      name: \${env:ONNXLESS_BUCKET, 'onnxless-models-\${sls:stage}'}
    models:
      # the generic one
      tiny:
        weights: s3://\${self:custom.onnxless.bucket.name}/tiny/1/model.onnx # v1
        size: 578966
      text-orientation:
        weights: s3://\${self:custom.onnxless.bucket.name}/text-orientation/1/model.onnx
        handler: handlers/text-orientation.handler
  esbuild:
    bundle: true # keep
`;

describe('readRegistryText', () => {
  it('resolves self, env and stage variables with their fallbacks', () => {
    const registry = readRegistryText(SERVERLESS_YML, { env: {} });
    expect(registry.bucket.name).toBe('onnxless-models-dev');
    expect(registry.models.tiny?.weights).toBe('s3://onnxless-models-dev/tiny/1/model.onnx');
    const prod = readRegistryText(SERVERLESS_YML, { env: { ONNXLESS_BUCKET: 'acme-models' }, stage: 'prod' });
    expect(prod.models['text-orientation']?.weights).toBe('s3://acme-models/text-orientation/1/model.onnx');
    expect(readRegistryText(SERVERLESS_YML, { env: {}, stage: 'prod' }).bucket.name).toBe('onnxless-models-prod');
  });

  it('refuses variables it cannot resolve without AWS, naming the place', () => {
    const text = SERVERLESS_YML.replace("name: ${env:ONNXLESS_BUCKET, 'onnxless-models-${sls:stage}'}", 'name: ${ssm:/models/bucket}');
    expect(() => readRegistryText(text, { env: {} })).toThrow(/custom\.onnxless\.bucket\.name: cannot resolve \$\{ssm:\/models\/bucket\}/);
  });

  it('names the file in a variable it cannot resolve, as in every other registry error', () => {
    const text = SERVERLESS_YML.replace("name: ${env:ONNXLESS_BUCKET, 'onnxless-models-${sls:stage}'}", 'name: ${ssm:/models/bucket}');
    expect(() => readRegistryText(text, { env: {}, source: 'models.yml' })).toThrow(
      /^invalid onnxless registry \(custom\.onnxless in models\.yml\): custom\.onnxless\.bucket\.name: cannot resolve/,
    );
  });

  it('reports YAML syntax errors and registry errors with the file name', () => {
    expect(() => readRegistryText('custom: [', { source: 'x.yml' })).toThrow(/custom\.onnxless in x\.yml.*YAML/s);
    expect(() => readRegistryText(SERVERLESS_YML.replace('size: 578966', 'size: big'), { env: {} })).toThrow(
      'model \'tiny\': size: expected number, got "big"',
    );
  });
});

describe('setModelEntryText', () => {
  it('names the file when a new entry lacks its weights', () => {
    expect(() => setModelEntryText(SERVERLESS_YML, 'vision', { size: 1 }, { env: {}, source: 'models.yml' })).toThrow(
      "invalid onnxless registry (custom.onnxless in models.yml): model 'vision': weights: required for a new model",
    );
  });

  it('updates one field of an entry and leaves every comment and other line alone', () => {
    const next = setModelEntryText(
      SERVERLESS_YML,
      'tiny',
      { weights: 's3://${self:custom.onnxless.bucket.name}/tiny/2/model.onnx', size: 600000 },
      { env: {} },
    );
    expect(next).toBe(SERVERLESS_YML.replace('tiny/1/model.onnx # v1', 'tiny/2/model.onnx # v1').replace('size: 578966', 'size: 600000'));
  });

  it('adds a new entry at the end of the models, fields in schema order', () => {
    const next = setModelEntryText(
      SERVERLESS_YML,
      'digits',
      { size: 1234, sha256: 'a'.repeat(64), weights: 's3://onnxless-models-dev/digits/1/model.onnx' },
      { env: {} },
    );
    expect(next).toContain(
      `        handler: handlers/text-orientation.handler
      digits:
        weights: s3://onnxless-models-dev/digits/1/model.onnx
        sha256: ${'a'.repeat(64)}
        size: 1234
  esbuild:
    bundle: true # keep
`,
    );
    expect(next).toContain('# global names: override with ONNXLESS_BUCKET');
    expect(readRegistryText(next, { env: {} }).models.digits?.size).toBe(1234);
  });

  it('removes a field given null', () => {
    const next = setModelEntryText(SERVERLESS_YML, 'tiny', { size: null }, { env: {} });
    expect(next).not.toContain('size: 578966');
    expect(readRegistryText(next, { env: {} }).models.tiny).toEqual({ weights: 's3://onnxless-models-dev/tiny/1/model.onnx' });
  });

  it('refuses a patch that would make the registry invalid, naming the model and field', () => {
    expect(() => setModelEntryText(SERVERLESS_YML, 'tiny', { weights: 'tiny.onnx' }, { env: {} })).toThrow(
      "model 'tiny': weights: expected s3://bucket/key, got 'tiny.onnx'",
    );
    expect(() => setModelEntryText(SERVERLESS_YML, 'new-one', { size: 1 }, { env: {} })).toThrow(
      "model 'new-one': weights: required for a new model",
    );
    expect(() => setModelEntryText(SERVERLESS_YML, 'Bad', { weights: 's3://b-b-b/k' }, { env: {} })).toThrow("model 'Bad': name:");
  });

  it('creates the models section when the file has none yet', () => {
    const bare = 'service: x\ncustom:\n  onnxless:\n    bucket:\n      name: my-models\n';
    const next = setModelEntryText(bare, 'tiny', { weights: 's3://my-models/tiny.onnx' });
    expect(readRegistryText(next).models).toEqual({ tiny: { weights: 's3://my-models/tiny.onnx' } });
  });

  it('removes an entry and keeps the others', () => {
    const next = removeModelEntryText(SERVERLESS_YML, 'tiny');
    expect(Object.keys(readRegistryText(next, { env: {} }).models)).toEqual(['text-orientation']);
    expect(next).toContain('bundle: true # keep');
  });
});

describe('setModelEntry', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('rewrites the file in place, leaving no temp file behind', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'onnxless-registry-'));
    const file = path.join(dir, 'serverless.yml');
    await writeFile(file, SERVERLESS_YML);
    await setModelEntry(file, 'tiny', { eager: true }, { env: {} });
    expect(await readFile(file, 'utf8')).toContain('        size: 578966\n        eager: true\n');
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['serverless.yml']);
  });

  it('leaves the file untouched when the patch is refused', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'onnxless-registry-'));
    const file = path.join(dir, 'serverless.yml');
    await writeFile(file, SERVERLESS_YML);
    await expect(setModelEntry(file, 'tiny', { memorySize: 1 }, { env: {} })).rejects.toThrow(
      "model 'tiny': memorySize: must be at least 128 MB",
    );
    expect(await readFile(file, 'utf8')).toBe(SERVERLESS_YML);
  });
});
