import { describe, expect, it } from 'vitest';
import {
  EMPTY_INDEX,
  InvalidIndexError,
  parseRepositoryIndex,
  serializeRepositoryIndex,
  withModel,
  withoutModel,
} from '../../../lib/core/repository/RepositoryIndex';

const pin = 'ab'.repeat(32);

describe('the repository index', () => {
  it('round-trips, models in name order whatever order they were added in', () => {
    const index = withModel(withModel(EMPTY_INDEX, 'zeta', { directory: 'zeta/1/', sha256: pin, size: 10 }), 'alpha', {
      directory: 'alpha/2/',
      sha256: pin,
      size: 20,
    });
    const text = serializeRepositoryIndex(index);
    expect(Object.keys((JSON.parse(text) as { models: object }).models)).toEqual(['alpha', 'zeta']);
    expect(parseRepositoryIndex(text, 'index')).toEqual(index);
    expect(Object.keys(withoutModel(index, 'zeta').models)).toEqual(['alpha']);
  });

  it('refuses a directory that climbs out of the prefix, a bad pin or a bad name, naming the object', () => {
    const bad = (models: unknown) => () =>
      parseRepositoryIndex(JSON.stringify({ format: 'onnxless.repository/1', models }), 's3://b/r/index.json');
    expect(bad({ m: { directory: '../other/1/', sha256: pin, size: 1 } })).toThrow(
      /s3:\/\/b\/r\/index.json is not a repository index.*directory/s,
    );
    expect(bad({ m: { directory: 'm/1/', sha256: 'nope', size: 1 } })).toThrow(/sha256/);
    expect(bad({ Bad_Name: { directory: 'm/1/', sha256: pin, size: 1 } })).toThrow(InvalidIndexError);
    expect(() => parseRepositoryIndex('{', 'index')).toThrow(/index is not JSON/);
  });
});
