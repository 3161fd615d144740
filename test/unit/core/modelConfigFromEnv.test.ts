import { describe, expect, it } from 'vitest';
import { modelConfigFromEnv } from '../../../lib/lambda/modelConfigFromEnv';

const base = { ONNXLESS_MODEL_NAME: 'm', ONNXLESS_MODEL_URI: 's3://b/k.onnx' };

describe('modelConfigFromEnv', () => {
  it('reads the contract with its defaults', () => {
    const config = modelConfigFromEnv(base);
    expect(config).toMatchObject({ name: 'm', uri: 's3://b/k.onnx', cacheDir: '/tmp/onnxless', eager: false });
    expect(config.limits.maxBodyBytes).toBe(6 * 1024 * 1024);
  });

  it('reads every option', () => {
    const config = modelConfigFromEnv({
      ...base,
      ONNXLESS_MODEL_SHA256: 'A'.repeat(64),
      ONNXLESS_CACHE_DIR: '/mnt/cache',
      ONNXLESS_EAGER: 'true',
      ONNXLESS_INTRA_OP_THREADS: '3',
      ONNXLESS_GRAPH_OPTIMIZATION: 'basic',
      ONNXLESS_EXECUTION_PROVIDERS: 'cuda, cpu',
      ONNXLESS_MAX_BODY_BYTES: '1000',
    });
    expect(config).toMatchObject({ sha256: 'a'.repeat(64), cacheDir: '/mnt/cache', eager: true });
    expect(config.session).toEqual({ intraOpThreads: 3, graphOptimization: 'basic', executionProviders: ['cuda', 'cpu'] });
    expect(config.limits.maxBodyBytes).toBe(1000);
  });

  it.each([
    [{ ONNXLESS_MODEL_URI: 's3://b/k' }, /ONNXLESS_MODEL_NAME is required/],
    [{ ONNXLESS_MODEL_NAME: 'm' }, /ONNXLESS_MODEL_URI is required/],
    [{ ...base, ONNXLESS_MODEL_SHA256: 'abc' }, /ONNXLESS_MODEL_SHA256 must be 64 hex digits/],
    [{ ...base, ONNXLESS_INTRA_OP_THREADS: 'two' }, /ONNXLESS_INTRA_OP_THREADS must be a positive integer/],
    [{ ...base, ONNXLESS_EAGER: 'maybe' }, /ONNXLESS_EAGER must be true or false/],
    [{ ...base, ONNXLESS_GRAPH_OPTIMIZATION: 'max' }, /ONNXLESS_GRAPH_OPTIMIZATION must be one of disabled, basic, extended, all/],
  ])('fails naming the variable: %j', (env, message) => {
    expect(() => modelConfigFromEnv(env)).toThrow(message);
  });
});
