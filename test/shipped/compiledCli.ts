import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, scratchDir } from './productionInstall';

/**
 * The CLI compiled as the GPU image compiles it (`npm run build:cli`), into `<folder>/dist` inside
 * the project, so its npm packages resolve from the project's node_modules: run
 * `node dist/onnxless.mjs ...` with the returned folder as the working directory.
 */
export async function compiledCli(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await scratchDir('onnxless-compiled-');
  await promisify(execFile)(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/build.ts', '--out', path.join(dir, 'dist')],
    {
      cwd: ROOT,
      timeout: 120_000,
    },
  );
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
