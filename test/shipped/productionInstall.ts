import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * `npm ci --omit=dev` of this project, as a user or an image installs it: nothing of the
 * devDependencies is there, so a runtime import of one fails here as it would in production.
 *
 * Installed once per package.json + package-lock.json (about a minute from the npm registry) and
 * kept under node_modules/.cache (git-ignored, and gone with the next `npm ci`, so a clean clone
 * in CI installs afresh). Concurrent test files share one install through a lock folder.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'onnxless-production-install');
const MANIFESTS = ['package.json', 'package-lock.json', '.npmrc'];

/**
 * A fresh folder inside the project (so npm packages resolve from its node_modules), under
 * node_modules/.cache, which a clean clone's `npm ci` does not create.
 */
export async function scratchDir(prefix: string): Promise<string> {
  const parent = path.join(ROOT, 'node_modules', '.cache');
  await mkdir(parent, { recursive: true });
  return mkdtemp(path.join(parent, prefix));
}
const run = promisify(execFile);

async function installKey(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of MANIFESTS) hash.update(file).update(await readFile(path.join(ROOT, file)));
  return hash.digest('hex').slice(0, 16);
}

/** The folder holding a production node_modules for the current manifests. */
export async function productionInstall(): Promise<string> {
  const dir = path.join(CACHE, await installKey());
  if (existsSync(path.join(dir, 'node_modules'))) return dir;
  await mkdir(CACHE, { recursive: true });
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // Another test file is installing: wait for its result (10 minutes at most).
      for (let waited = 0; existsSync(lock) && waited < 600; waited++) await new Promise((r) => setTimeout(r, 1000));
      if (existsSync(path.join(dir, 'node_modules'))) return dir;
      await rm(lock, { recursive: true, force: true });
    }
  }
  try {
    // Earlier installs are for manifests that no longer exist.
    for (const old of await readdir(CACHE)) if (!old.endsWith('.lock')) await rm(path.join(CACHE, old), { recursive: true, force: true });
    const partial = `${dir}.partial`;
    await mkdir(partial, { recursive: true });
    for (const file of MANIFESTS) await cp(path.join(ROOT, file), path.join(partial, file));
    // The images' flags; onnxruntime-node's CPU binaries ship in the package (its script would
    // fetch CUDA libraries from a host CI cannot reach).
    await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund'], {
      cwd: partial,
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', NODE_ENV: 'production' },
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(partial, dir);
    return dir;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * A copy of the project's shipped files (`folders`) beside a production node_modules, in a temp
 * folder outside the checkout: nothing above it to fall back on.
 */
export async function productionCopy(folders: readonly string[]): Promise<string> {
  const install = await productionInstall();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'onnxless-prod-'));
  for (const item of [...MANIFESTS, ...folders]) await cp(path.join(ROOT, item), path.join(dir, item), { recursive: true });
  await symlink(path.join(install, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}
