import { join } from 'node:path';
import { IntegrityError } from '../errors';
import { MANIFEST_NAME, manifestBytes, type ModelManifest } from '../sources/ModelManifest';
import type { ModelDirectorySource } from '../sources/ModelSource';
import { hashFiles } from './hashFiles';
import { directoryPaths } from './modelDirectory';

/**
 * Hash every file of a directory (the manifest against the pin, the rest against the
 * manifest); on a mismatch call `evict` with the bad paths and reject naming them.
 */
export async function verifyDirectory(
  source: ModelDirectorySource,
  dir: string,
  manifest: ModelManifest,
  expected: string,
  evict: (bad: string[]) => Promise<void>,
): Promise<void> {
  const paths = directoryPaths(manifest);
  const hashes = await hashFiles(
    paths.map((p) => join(dir, p)),
    manifestBytes(manifest),
  );
  const want = new Map<string, string>([...manifest.files.map((f) => [f.path, f.sha256] as const), [MANIFEST_NAME, expected]]);
  const bad = paths.filter((p, i) => hashes[i] !== want.get(p));
  if (bad.length === 0) return;
  await evict(bad);
  throw new IntegrityError(
    `${source.description}: ${bad.join(', ')} in the cache ${bad.length > 1 ? 'do' : 'does'} not match the pinned manifest: removed from the cache`,
  );
}
