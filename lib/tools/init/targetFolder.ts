import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The folder a project is written into: new, or empty. Anything in it might be someone's work,
 * so a folder with files is refused, never merged into.
 */
export async function claimTargetFolder(dir: string): Promise<{ created: boolean }> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) {
    await mkdir(dir, { recursive: true });
    return { created: true };
  }
  if (!info.isDirectory()) throw new Error(`${dir} exists and is not a folder: name a new or empty folder`);
  const entries = await readdir(dir);
  if (entries.length > 0) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, ... (${entries.length} entries)` : '');
    throw new Error(`${dir} is not empty (${shown}): init writes a new project into a new or empty folder only; name another one`);
  }
  return { created: false };
}

/** Undoes a half-written project: the folder itself when init made it, else what init wrote into it. */
export async function releaseTargetFolder(dir: string, claim: { created: boolean }): Promise<void> {
  if (claim.created) {
    await rm(dir, { recursive: true, force: true });
    return;
  }
  for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
}
