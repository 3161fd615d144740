import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One `serverless package` of the example registry per run, shared by the files that need it.
    globalSetup: ['test/integration/deploy/examplePackage.setup.ts'],
    // onnxruntime and the local S3 server are real: give cold loads room on a 2-core CI box.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more workers only fight over them.
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
