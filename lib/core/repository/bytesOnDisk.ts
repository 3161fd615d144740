import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes the files under `dir` take, each inode once: the cache links a model's files into its
 * directory from their content-addressed copies, and keeps beside them what the first load
 * wrote (the machine-optimised graph, records), so the model's own size undercounts its /tmp.
 * A folder removed meanwhile counts 0.
 */
export async function bytesOnDisk(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const name of entries) {
    const stats = await lstat(join(dir, name)).catch(() => undefined);
    if (!stats?.isFile()) continue;
    const id = `${stats.dev}:${stats.ino}`;
    if (seen.has(id)) continue;
    seen.add(id);
    total += stats.size;
  }
  return total;
}
