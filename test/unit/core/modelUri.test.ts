import { describe, expect, it } from 'vitest';
import { InvalidModelUriError, parseModelUri } from '../../../lib/core/sources/modelUri';

describe('parseModelUri', () => {
  it('reads s3://bucket/key with slashes in the key', () => {
    expect(parseModelUri('s3://models/text/1/model.onnx')).toEqual({ kind: 's3', bucket: 'models', key: 'text/1/model.onnx' });
  });

  it('reads file:// URLs and plain paths', () => {
    expect(parseModelUri('file:///opt/ml/model/model.onnx')).toEqual({ kind: 'file', path: '/opt/ml/model/model.onnx' });
    expect(parseModelUri('/var/task/model.onnx')).toEqual({ kind: 'file', path: '/var/task/model.onnx' });
    expect(parseModelUri('models/m.onnx')).toMatchObject({ kind: 'file', path: expect.stringMatching(/\/models\/m\.onnx$/) });
  });

  it.each([
    ['s3://', /no bucket/],
    ['s3://bucket', /no bucket/],
    ['s3://bucket/', /no key/],
    ['https://example.com/m.onnx', /unsupported scheme/],
    ['', /empty/],
  ])('refuses %j naming what is expected', (uri, why) => {
    expect(() => parseModelUri(uri)).toThrow(InvalidModelUriError);
    expect(() => parseModelUri(uri)).toThrow(why);
    expect(() => parseModelUri(uri)).toThrow(/expected s3:\/\/bucket\/key/);
  });
});
