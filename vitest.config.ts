import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { SHARED_PROCESS_UNIT, UNIT_MOCKS_MODULES, UNIT_STARTS_PROCESSES, UNIT_TESTS } from './vitest.shared';

// Tests import the package's public entry points (`onnxless/lambda`, the examples' handlers do) from
// the sources, as tsconfig's `onnxless:source` condition does: one copy of each class in a test.
// The built dist/ is what the shipped-form tests run (test/shipped).
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  exports: Record<string, string | { 'onnxless:source'?: string }>;
};
const sourceAliases = Object.entries(pkg.exports).flatMap(([subpath, target]) =>
  typeof target === 'object' && target['onnxless:source']
    ? [
        {
          find: new RegExp(`^onnxless${subpath.slice(1).replace(/[/.-]/g, '\\$&')}$`),
          replacement: fileURLToPath(new URL(target['onnxless:source'], import.meta.url)),
        },
      ]
    : [],
);

export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    // onnxruntime and the local S3 server are real: give cold loads room on a 2-core CI box.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more workers only fight over them.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // `npm run coverage` (the whole suite) and CI's `npm run test:unit -- --coverage`: lines of the
    // framework (lib/) run in vitest's own processes; code run only inside a started child (a
    // packaged zip, serve's worker threads) counts as not run.
    coverage: {
      provider: 'v8',
      include: ['lib/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
    },
    // Every file runs: the pure unit files together in one process (vitest.shared.ts), every
    // other file in a fresh one.
    projects: [
      { extends: true, test: SHARED_PROCESS_UNIT },
      { extends: true, test: { name: 'unit, each in its own process', include: [...UNIT_MOCKS_MODULES, ...UNIT_STARTS_PROCESSES] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [UNIT_TESTS],
          // One `serverless package` of the example registry per run, shared by the files that need it.
          globalSetup: ['test/integration/deploy/examplePackage.setup.ts'],
        },
      },
    ],
  },
});
