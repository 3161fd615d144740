import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE_WEIGHTS } from '../../../lib/local/exampleWeights';
import { EXAMPLE_REGISTRY, ROOT, serviceConfig } from './serviceFixture';

/**
 * The deploy and shipped-form tests package test/fixtures/registry/serverless.yml, never the
 * project's serverless.yml: that file is the user's, and `onnxless push` and `npm run train` edit
 * it, so whatever a user registers there cannot change (or break) what npm test packages.
 */
const models = (yaml: string) => Object.keys((parse(yaml) as { custom: { onnxless: { models: object } } }).custom.onnxless.models);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('the example registry the deploy tests package', () => {
  it('lists exactly the examples the local stack seeds weights for', () => {
    expect(models(readFileSync(EXAMPLE_REGISTRY, 'utf8')).sort()).toEqual(Object.keys(EXAMPLE_WEIGHTS).sort());
  });

  it('is what the service fixture packages', async () => {
    expect(models(await serviceConfig())).toEqual(models(readFileSync(EXAMPLE_REGISTRY, 'utf8')));
  });

  it('is the only registry the deploy and shipped-form tests read: none names the project serverless.yml', () => {
    const files = [...sources(path.join(ROOT, 'test/integration/deploy')), ...sources(path.join(ROOT, 'test/shipped'))];
    expect(files.length).toBeGreaterThan(5);
    // A path built from the project root to serverless.yml, in any of the usual spellings.
    const live = /\b(ROOT|REPO|root)\b[^;\n]*['"`]serverless\.yml['"`]/;
    expect(files.filter((f) => live.test(readFileSync(f, 'utf8'))).map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
