import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveServeConfig, ServeConfigError } from '../../../lib/serve/config';
import { tempDir } from './helpers';

const noModelDir = { modelDir: '/nonexistent/opt/ml/model' };

describe('serve configuration', () => {
  it('reads a YAML file, resolving weights against the file and applying defaults', async () => {
    const dir = tempDir();
    const file = join(dir, 'serve.yaml');
    writeFileSync(
      file,
      [
        'workers: 3',
        'models:',
        '  tiny:',
        '    weights: models/tiny.onnx',
        '    batching: { maxBatchSize: 16, maxQueueDelayMs: 2 }',
        '  remote:',
        '    weights: s3://bucket/remote/model.onnx',
        '    executionProviders: [cuda, cpu]',
        '    cpuFallback: true',
      ].join('\n'),
    );
    const config = await resolveServeConfig({ config: file, ...noModelDir }, {});
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', workers: 3, drainTimeoutMs: 25_000 });
    expect(config.models.tiny).toMatchObject({
      weights: join(dir, 'models/tiny.onnx'),
      eager: true,
      maxQueueSize: 128,
      batching: { maxBatchSize: 16, maxQueueDelayMs: 2 },
    });
    expect(config.models.remote).toMatchObject({
      weights: 's3://bucket/remote/model.onnx',
      executionProviders: ['cuda', 'cpu'],
      cpuFallback: true,
      batching: { maxBatchSize: 1 },
    });
  });

  it('reads JSON too, and lets flags override the file', async () => {
    const file = join(tempDir(), 'serve.json');
    writeFileSync(file, JSON.stringify({ port: 9000, models: { a: { weights: '/m/a.onnx' } } }));
    const config = await resolveServeConfig({ config: file, port: 0, workers: 2, models: ['b=/m/b.onnx'], ...noModelDir }, {});
    expect(config.port).toBe(0);
    expect(config.workers).toBe(2);
    expect(Object.keys(config.models)).toEqual(['a', 'b']);
  });

  it("serves the Lambda handler's single-model environment, with the server's own settings", async () => {
    const config = await resolveServeConfig(noModelDir, {
      ONNXLESS_MODEL_NAME: 'big',
      ONNXLESS_MODEL_URI: 's3://models/big/model.onnx',
      ONNXLESS_EXECUTION_PROVIDERS: 'cuda',
      ONNXLESS_CPU_FALLBACK: 'false',
      ONNXLESS_MAX_BATCH_SIZE: '32',
      ONNXLESS_MAX_QUEUE_DELAY_MS: '4',
      ONNXLESS_WORKERS: '1',
      ONNXLESS_PORT: '8081',
    });
    expect(config.port).toBe(8081);
    expect(config.workers).toBe(1);
    expect(config.models.big).toMatchObject({
      weights: 's3://models/big/model.onnx',
      executionProviders: ['cuda'],
      cpuFallback: false,
      batching: { maxBatchSize: 32, maxQueueDelayMs: 4 },
    });
  });

  it('applies the image-wide providers to every model that names none', async () => {
    const config = await resolveServeConfig(
      { models: ['a=/m/a.onnx'], ...noModelDir },
      { ONNXLESS_EXECUTION_PROVIDERS: 'cuda', ONNXLESS_CPU_FALLBACK: 'true' },
    );
    expect(config.models.a).toMatchObject({ executionProviders: ['cuda'], cpuFallback: true });
  });

  it('takes weights from the SageMaker model directory: discovered, or replacing an entry', async () => {
    const dir = tempDir('opt-ml-model-');
    writeFileSync(join(dir, 'model.onnx'), 'x');
    writeFileSync(join(dir, 'other.onnx'), 'x');
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', 'model.onnx'), 'x');
    const discovered = await resolveServeConfig({ modelDir: dir }, { ONNXLESS_MODEL_NAME: undefined }, tempDir());
    expect(Object.fromEntries(Object.entries(discovered.models).map(([k, v]) => [k, v.weights]))).toEqual({
      model: join(dir, 'model.onnx'),
      nested: join(dir, 'nested', 'model.onnx'),
      other: join(dir, 'other.onnx'),
    });
    const replaced = await resolveServeConfig({ modelDir: dir, models: ['other=s3://bucket/other.onnx'] }, {});
    expect(replaced.models.other!.weights).toBe(join(dir, 'other.onnx'));
  });

  it("serves serverless.yml's registry: every model, domain routes from their handlers, GPU settings kept", async () => {
    const file = join(tempDir(), 'serverless.yml');
    writeFileSync(
      file,
      [
        'service: demo',
        'provider: { name: aws, stage: dev }',
        'custom:',
        '  onnxless:',
        "    bucket: { name: 'models-${sls:stage}' }",
        '    models:',
        '      tiny: { weights: s3://models-dev/tiny/3/model.onnx }',
        '      text-orientation: { weights: s3://models-dev/cls/model.onnx, handler: handlers/text-orientation.handler, layers: [sharp] }',
        '      vision:',
        '        weights: s3://models-dev/vision/model.onnx',
        '        runtime: gpu',
        '        instanceType: ml.g5.xlarge',
        '        executionProviders: [cuda]',
        '        cpuFallback: true',
        '        batching: { maxBatchSize: 8 }',
      ].join('\n'),
    );
    const config = await resolveServeConfig({ config: file, ...noModelDir }, {});
    expect(Object.keys(config.models)).toEqual(['tiny', 'text-orientation', 'vision']);
    expect(config.models['text-orientation']).toMatchObject({ weights: 's3://models-dev/cls/model.onnx', pipeline: 'textOrientation' });
    expect(config.models.tiny!.pipeline).toBeUndefined();
    // The version the deployment derives from the weights key (`<model>/<version>/model.onnx`).
    expect(config.models.tiny!.version).toBe('3');
    expect(config.models['text-orientation']!.version).toBeUndefined();
    expect(config.models.vision).toMatchObject({
      executionProviders: ['cuda'],
      cpuFallback: true,
      batching: { maxBatchSize: 8, maxQueueDelayMs: 0 },
    });
  });

  it('fails naming the field, the model, or what to give when there is nothing to serve', async () => {
    const file = join(tempDir(), 'bad.yaml');
    writeFileSync(file, 'models:\n  a:\n    weights: /a.onnx\n    batchSize: 4\n    maxQueueSize: -1\n');
    const err = await resolveServeConfig({ config: file, ...noModelDir }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServeConfigError);
    expect((err as ServeConfigError).problems).toEqual(
      expect.arrayContaining(["model 'a': unknown field 'batchSize'", "model 'a': maxQueueSize: must be at least 0 requests"]),
    );
    await expect(resolveServeConfig(noModelDir, {}, tempDir())).rejects.toThrow(/no models to serve: give --config/);
    await expect(resolveServeConfig({ models: ['a=/a.onnx'], defaultModel: 'b', ...noModelDir }, {})).rejects.toThrow(
      /--default-model 'b' is not among the models: a/,
    );
    await expect(resolveServeConfig({ models: ['noequals'], ...noModelDir }, {})).rejects.toThrow(/--model expects <name>=<weights>/);
  });

  it('serves ./serverless.yml with no flags, unless a flag, the environment or the model directory names a model', async () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'serverless.yml'),
      [
        'service: demo',
        'provider: { name: aws }',
        'custom:',
        '  onnxless:',
        '    bucket: { name: models }',
        '    models:',
        '      tiny: { weights: s3://models/tiny/1/model.onnx }',
      ].join('\n'),
    );
    const fromRegistry = await resolveServeConfig(noModelDir, {}, cwd);
    expect(fromRegistry.models).toMatchObject({ tiny: { weights: 's3://models/tiny/1/model.onnx', version: '1' } });
    const fromFlag = await resolveServeConfig({ models: ['a=/a.onnx'], ...noModelDir }, {}, cwd);
    expect(Object.keys(fromFlag.models)).toEqual(['a']);
    const modelDir = tempDir('opt-ml-model-');
    writeFileSync(join(modelDir, 'model.onnx'), 'x');
    expect(Object.keys((await resolveServeConfig({ modelDir }, {}, cwd)).models)).toEqual(['model']);
  });
});
