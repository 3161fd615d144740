import { randomBytes } from 'node:crypto';
import { link, copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MANIFEST_NAME, type ModelManifest } from '../sources/ModelManifest';

/** Written inside an assembled model directory, last, before the directory is renamed into place. */
export const DIRECTORY_RECORD = '.onnxless-record.json';

interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

interface DirectoryRecord {
  uri: string;
  /** sha256 of the manifest: the directory's name and the model's pin. */
  sha256: string;
  /** Every file, the manifest included, with the identity it had when it was verified. */
  files: Record<string, FileIdentity>;
}

/**
 * The directory's record, when it vouches for exactly these files: any file rewritten,
 * replaced or truncated since changes its inode, size or mtime, and the directory is not
 * trusted (a rewrite that keeps all three is what the pin's hash is for).
 */
export async function validDirectory(dir: string, uri: string, sha256: string): Promise<DirectoryRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(join(dir, DIRECTORY_RECORD), 'utf8')) as DirectoryRecord;
    if (record.uri !== uri || record.sha256 !== sha256 || typeof record.files !== 'object') return undefined;
    for (const [path, expected] of Object.entries(record.files)) {
      const s = await stat(join(dir, path));
      if (s.ino !== expected.ino || s.size !== expected.size || s.mtimeMs !== expected.mtimeMs) return undefined;
    }
    return record.files[MANIFEST_NAME] ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Lay out verified files side by side under `final` (onnxruntime looks for external data next
 * to model.onnx), atomically: they are linked into a fresh temp directory, its record written
 * last, and the directory renamed into place. A reader sees the whole model or none of it;
 * hard links cost no disk (the staged copies and the model share inodes).
 *
 * `staged` maps each manifest path (and the manifest itself) to its verified file.
 */
export async function assembleDirectory(final: string, uri: string, sha256: string, staged: ReadonlyMap<string, string>): Promise<void> {
  const parent = dirname(final);
  const temp = join(parent, `.assembling-${process.pid}-${randomBytes(6).toString('hex')}`);
  await mkdir(temp, { recursive: true });
  try {
    const files: Record<string, FileIdentity> = {};
    for (const [path, from] of staged) {
      const to = join(temp, path);
      await mkdir(dirname(to), { recursive: true });
      await link(from, to).catch(() => copyFile(from, to));
      const s = await stat(to);
      files[path] = { ino: s.ino, size: s.size, mtimeMs: s.mtimeMs };
    }
    const record: DirectoryRecord = { uri, sha256, files };
    await writeFile(join(temp, DIRECTORY_RECORD), JSON.stringify(record));
    await placeDirectory(temp, final, uri, sha256);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** rename(2) refuses to replace a non-empty directory: a valid one (another loader's) is kept, a broken one replaced. */
async function placeDirectory(temp: string, final: string, uri: string, sha256: string): Promise<void> {
  try {
    await rename(temp, final);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  if (await validDirectory(final, uri, sha256)) return;
  const aside = `${final}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  await rename(final, aside).catch(() => undefined);
  await rm(aside, { recursive: true, force: true });
  await rename(temp, final);
}

/** The files a manifest lists, with the manifest itself: the whole directory as the record knows it. */
export function directoryPaths(manifest: ModelManifest): string[] {
  return [...manifest.files.map((f) => f.path), MANIFEST_NAME];
}
