import { describe, expect, it } from 'vitest';
import { WeightsCache } from '../../../lib/core/cache/WeightsCache';
import { modelConfigFromEnv } from '../../../lib/lambda/modelConfigFromEnv';

const base = { ONNXLESS_MODEL_NAME: 'm', ONNXLESS_MODEL_URI: 's3://b/k.onnx' };

describe('download settings', () => {
  it('reads part size and concurrency from the environment', () => {
    const config = modelConfigFromEnv({ ...base, ONNXLESS_DOWNLOAD_PART_BYTES: '4194304', ONNXLESS_DOWNLOAD_CONCURRENCY: '16' });
    expect(config.download).toEqual({ partBytes: 4194304, concurrency: 16 });
  });

  it('leaves them to the cache defaults when unset', () => {
    expect(modelConfigFromEnv(base).download).toEqual({ partBytes: undefined, concurrency: undefined });
  });

  it('fails naming the variable when a value is not a positive integer', () => {
    expect(() => modelConfigFromEnv({ ...base, ONNXLESS_DOWNLOAD_CONCURRENCY: '0' })).toThrow(/ONNXLESS_DOWNLOAD_CONCURRENCY/);
    expect(() => modelConfigFromEnv({ ...base, ONNXLESS_DOWNLOAD_PART_BYTES: '8MiB' })).toThrow(/ONNXLESS_DOWNLOAD_PART_BYTES/);
  });

  it('refuses a cache configured with a part size or concurrency that is not a positive integer', () => {
    expect(() => new WeightsCache({ partBytes: 0 })).toThrow(/partBytes/);
    expect(() => new WeightsCache({ concurrency: 1.5 })).toThrow(/concurrency/);
  });
});
