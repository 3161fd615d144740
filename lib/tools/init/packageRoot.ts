import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'onnxless';

/**
 * The folder of this package's own package.json: found by walking up from the calling module,
 * because the same code runs from its sources (lib/tools/init/) and bundled (dist/), two depths apart.
 * Files shipped beside the code (templates/) are found from here, never from the module's folder.
 */
export function packageRoot(from: string | URL = import.meta.url): string {
  const start = dirname(fileURLToPath(from));
  for (let dir = start; ; dir = dirname(dir)) {
    if (nameAt(join(dir, 'package.json')) === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir)
      throw new Error(`no package.json named '${PACKAGE_NAME}' in ${start} or any folder above it: is the package installed whole?`);
  }
}

function nameAt(manifest: string): string | undefined {
  if (!existsSync(manifest)) return undefined;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined; // a broken package.json of some other project above us: keep walking
  }
}
