import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../../../lib/core/registry/index';
import { registryProblems as problems } from '../../support/registryProblems';

const bucket = { name: 'models-bucket' };

describe('kind: repository', () => {
  it('sets a repository entry apart from the single models, its settings kept', () => {
    const entry = {
      kind: 'repository',
      prefix: 's3://models-bucket/customers/',
      memorySize: 3008,
      ephemeralStorage: 2048,
      architecture: 'arm64',
      sessionMemoryMB: 1024,
      maxLoadedModels: 20,
      indexTtlSeconds: 5,
      handler: 'handlers/scores.handler',
    } as const;
    const registry = parseRegistry({ bucket, models: { tiny: { weights: 's3://models-bucket/tiny/1/' }, customers: entry } });
    expect(Object.keys(registry.models)).toEqual(['tiny']);
    expect(registry.repositories).toEqual({ customers: entry });
  });

  it('refuses a prefix that is not a folder, and unknown fields, naming the entry', () => {
    expect(
      problems({ bucket, models: { customers: { kind: 'repository', prefix: 's3://models-bucket/customers', weights: 'x' } } }),
    ).toEqual([
      "model 'customers': prefix: expected a prefix ending in '/', e.g. s3://bucket/models/",
      "model 'customers': unknown field 'weights'",
    ]);
  });

  it('refuses a second repository, pointing to the first', () => {
    const repository = (prefix: string) => ({ kind: 'repository', prefix });
    expect(problems({ bucket, models: { a: repository('s3://models-bucket/a/'), b: repository('s3://models-bucket/b/') } })).toEqual([
      "model 'b': a registry serves at most one kind: repository entry ('a' is one): push these models to it instead",
    ]);
  });

  it('bounds the budgets it takes', () => {
    expect(problems({ bucket, models: { r: { kind: 'repository', prefix: 's3://models-bucket/r/', ephemeralStorage: 100 } } })).toEqual([
      "model 'r': ephemeralStorage: must be at least 512 MB",
    ]);
  });
});
