import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EXAMPLE_MODELS } from '../../../lib/tools/local/exampleWeights';
import { inspectModel } from '../../../lib/tools/store/inspectModel';
import { EXAMPLE_REGISTRY, serviceConfig } from './serviceFixture';

/**
 * The deploy and shipped-form tests package test/fixtures/registry/serverless.yml, never the
 * project's serverless.yml: that file is the user's, and `onnxless push` and `npm run train` edit
 * it (test/unit/testsKeepOffUserFiles.test.ts fails any test that reads it). The fixture must
 * still be the example registry.
 */
type Entry = { weights: string; sha256?: string; size?: number };
type Entries = Record<string, Entry & { kind?: string; models?: Record<string, Entry> }>;
/** Every model served by name: a pipeline's members as `<pipeline>-<role>`, as the local stack seeds them. */
const entries = (yaml: string): Record<string, Entry> =>
  Object.fromEntries(
    Object.entries((parse(yaml) as { custom: { onnxless: { models: Entries } } }).custom.onnxless.models).flatMap(([name, entry]) =>
      entry.kind === 'pipeline' ? Object.entries(entry.models ?? {}).map(([role, member]) => [`${name}-${role}`, member]) : [[name, entry]],
    ),
  );
const models = (yaml: string) => Object.keys(entries(yaml));

describe('the example registry the deploy tests package', () => {
  it('lists exactly the examples the local stack seeds, pinned to the very files it seeds', async () => {
    const fixture = entries(readFileSync(EXAMPLE_REGISTRY, 'utf8'));
    expect(Object.keys(fixture).sort()).toEqual(Object.keys(EXAMPLE_MODELS).sort());
    for (const [name, files] of Object.entries(EXAMPLE_MODELS)) {
      const facts = await inspectModel(files, name);
      expect([name, fixture[name]!.sha256, fixture[name]!.size ?? facts.size]).toEqual([name, facts.sha256, facts.size]);
    }
  });

  it('is what the service fixture packages', async () => {
    expect(models(await serviceConfig())).toEqual(models(readFileSync(EXAMPLE_REGISTRY, 'utf8')));
  });
});
