import { describe, expect, it } from 'vitest';
import { pipelineConfigFromEnv } from '../../../lib/lambda/pipelineConfigFromEnv';

const members = { detection: { name: 'ocr-detection', uri: 's3://b/ocr-detection/1/', sha256: 'AB'.repeat(32), version: '1' } };
const env = (models: string) => ({ ONNXLESS_MODEL_NAME: 'ocr', ONNXLESS_PIPELINE_MODELS: models });

describe('pipelineConfigFromEnv', () => {
  it('reads the members by role, pins lower-cased, with the settings every function reads', () => {
    const config = pipelineConfigFromEnv({ ...env(JSON.stringify(members)), ONNXLESS_EAGER: 'true' });
    expect(config).toMatchObject({ name: 'ocr', eager: true, members: { detection: { ...members.detection, sha256: 'ab'.repeat(32) } } });
  });

  it('fails naming the variable and what is wrong', () => {
    expect(() => pipelineConfigFromEnv({ ONNXLESS_MODEL_NAME: 'ocr' })).toThrow(/ONNXLESS_PIPELINE_MODELS is required/);
    expect(() => pipelineConfigFromEnv(env('{'))).toThrow(/ONNXLESS_PIPELINE_MODELS must be JSON/);
    expect(() => pipelineConfigFromEnv(env('{"detection": {"name": "d"}}'))).toThrow(/ONNXLESS_PIPELINE_MODELS: detection.uri/);
    expect(() => pipelineConfigFromEnv(env(JSON.stringify({ detection: { ...members.detection, sha256: 'abc' } })))).toThrow(
      /detection.sha256 must be 64 hex digits/,
    );
  });
});
