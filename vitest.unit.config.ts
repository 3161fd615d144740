import { defineConfig } from 'vitest/config';
import base from './vitest.config';
import { SHARED_PROCESS_UNIT, UNIT_MOCKS_MODULES } from './vitest.shared';

/**
 * `npm run test:unit`: test/unit in seconds, for the edit-test loop; `npm test` (CI) still runs
 * every file, these included.
 *
 * - No global setup: the shared example package (test/integration/deploy/examplePackage.setup.ts)
 *   is for integration tests; the base's projects are replaced, not merged.
 * - The unit files that share a process in `npm test` share one here (vitest.shared.ts); a file
 *   that replaces a module (vi.mock) keeps a process of its own. Files that start processes
 *   (the CLI, tsx children) are left to `npm test`.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    projects: [
      { extends: true, test: SHARED_PROCESS_UNIT },
      { extends: true, test: { name: 'unit (own process)', include: UNIT_MOCKS_MODULES } },
    ],
  },
});
