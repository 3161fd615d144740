import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * `npm run test:unit`: test/unit in seconds, for the edit-test loop; `npm test` (CI) still runs
 * every file, these included, each in a fresh process.
 *
 * - No global setup: the shared example package (test/integration/deploy/examplePackage.setup.ts)
 *   is for integration tests. Not mergeConfig: a merge would keep the base's globalSetup and
 *   append to its include (test/**), so both are left out of what the projects extend.
 * - One process, one module graph, for every file (isolate: false, singleFork): a process per
 *   file took 73 s on 2 cores, a shared one per file 25 s, one run of them all 14 s. A file that
 *   replaces a module (vi.mock) keeps a process of its own.
 * - Files that start processes (the CLI, tsx children) are left to `npm test`.
 */
const MOCKS_MODULES = ['test/unit/processing/imageFormat.test.ts'];
const STARTS_PROCESSES = [
  'test/unit/init/scaffold.test.ts',
  'test/unit/server/absentProviderLibrary.test.ts',
  'test/unit/registry/jsonSchema.test.ts',
];

const { include: _include, globalSetup: _globalSetup, ...shared } = base.test ?? {};

export default defineConfig({
  ...base,
  test: {
    ...shared,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: [...MOCKS_MODULES, ...STARTS_PROCESSES],
          isolate: false,
          poolOptions: { forks: { singleFork: true } },
        },
      },
      { extends: true, test: { name: 'unit (own process)', include: MOCKS_MODULES } },
    ],
  },
});
