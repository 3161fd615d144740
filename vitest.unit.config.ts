import { defineConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * `npm run test:unit`: test/unit in seconds, for the edit-test loop; `npm test` (CI) still runs
 * every file, these included, each in a fresh process.
 *
 * - No global setup: the shared example package (test/integration/deploy/examplePackage.setup.ts)
 *   is for integration tests. Spread, not mergeConfig: a merge would keep the base's globalSetup.
 * - One module graph per worker (isolate: false): 50 fresh processes spent more time loading
 *   modules than running tests. A file that replaces a module (vi.mock) keeps its own process.
 * - Files that start processes (the CLI, tsx children) are left to `npm test`.
 */
const MOCKS_MODULES = ['test/unit/processing/imageFormat.test.ts'];
const STARTS_PROCESSES = ['test/unit/init/scaffold.test.ts', 'test/unit/server/absentProviderLibrary.test.ts', 'test/unit/registry/jsonSchema.test.ts'];

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    globalSetup: [],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: [...MOCKS_MODULES, ...STARTS_PROCESSES], isolate: false } },
      { extends: true, test: { name: 'unit (own process)', include: MOCKS_MODULES } },
    ],
  },
});
