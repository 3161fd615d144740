import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the run's one package of the example registry goes (test/integration/deploy/examplePackage.ts). */
    examplePackageDir: string;
  }
}

/** Global setup: a folder for the run's shared example package (made only if a test asks), removed at the end. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'onnxless-example-package-'));
  project.provide('examplePackageDir', dir);
  return () => rm(dir, { recursive: true, force: true });
}
