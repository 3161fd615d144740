import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inject } from 'vitest';
import { EXAMPLE_REGISTRY, packageService, type CfnTemplate, type PackagedService } from './serviceFixture';

/**
 * One `serverless package` of the example registry per test run, shared by every test file that
 * needs it (a package takes most of a minute on 2 cores). The run's global setup
 * (examplePackage.setup.ts) gives a folder; the first file to ask packages into it under a lock,
 * the others wait and read the result. Outside such a run (no folder provided), each file packages
 * its own.
 */
export async function exampleRegistryConfig(): Promise<string> {
  return readFile(EXAMPLE_REGISTRY, 'utf8');
}

const RESULT = 'packaged.json';
// A leftover in the bundler's shared build folder, as an earlier run or `offline` leaves it: no
// function zip may pick it up (package.test.ts checks).
const LEFTOVER = { '.esbuild/.build/handlers/leftover.cjs': '"use strict";' };

export async function examplePackage(): Promise<PackagedService> {
  const shared = inject('examplePackageDir') as string | undefined;
  if (!shared) return packageService(await exampleRegistryConfig(), LEFTOVER);
  const result = path.join(shared, RESULT);
  const lock = path.join(shared, 'lock');
  await mkdir(shared, { recursive: true });
  for (let waited = 0; !existsSync(result); waited++) {
    try {
      await mkdir(lock);
    } catch {
      if (waited > 300) throw new Error(`the shared example package did not appear in ${shared} in 5 minutes`);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    try {
      const pkg = await packageService(await exampleRegistryConfig(), LEFTOVER, shared);
      await writeFile(result, JSON.stringify({ ...pkg, template: undefined }));
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
  const pkg = JSON.parse(await readFile(result, 'utf8')) as Omit<PackagedService, 'template'>;
  const template = JSON.parse(await readFile(path.join(pkg.out, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
  return { ...pkg, template, shared: true };
}
