/**
 * Which unit test files share one process and one module graph (isolate: false, one fork), in
 * `npm test` as in `npm run test:unit`: a process per file took 73 s of 2 cores for test/unit, a
 * shared one 14-18 s. Left out, each in a process of its own: a file that replaces a module
 * (vi.mock: the replacement would reach every later file) and files that start processes (the
 * CLI, tsx children: their own timing, nothing to share).
 */
export const UNIT_TESTS = 'test/unit/**/*.test.ts';
export const UNIT_MOCKS_MODULES = ['test/unit/processing/imageFormat.test.ts'];
export const UNIT_STARTS_PROCESSES = [
  'test/unit/init/scaffold.test.ts',
  'test/unit/server/absentProviderLibrary.test.ts',
  'test/unit/registry/jsonSchema.test.ts',
];

/** The unit files that run together in one process. */
export const SHARED_PROCESS_UNIT = {
  name: 'unit',
  include: [UNIT_TESTS],
  exclude: [...UNIT_MOCKS_MODULES, ...UNIT_STARTS_PROCESSES],
  isolate: false,
  poolOptions: { forks: { singleFork: true } },
};
