import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { ByteRange } from './byteRanges';

/** What a kept partial download holds: which bytes of which version of which object. */
export interface PartialState {
  uri: string;
  size: number;
  /** The store's version token (S3 ETag) the bytes belong to. */
  version: string;
  done: ByteRange[];
}

/** Sidecar of a kept partial (`<file>.resume.json`), naming the exact file it describes. */
interface ResumeRecord extends PartialState {
  ino: number;
  mtimeMs: number;
  fileSize: number;
}

const resumePath = (path: string): string => `${path}.resume`;
const recordPath = (path: string): string => `${path}.resume.json`;

/**
 * Keep a partial download for the next load: the sidecar first, then the data file renamed
 * into place. Both are atomic renames and the sidecar names the file's inode, mtime and
 * size, so a reader never trusts a sidecar that describes another file (two processes
 * parking at once leave one consistent pair, or a pair that does not match and is ignored).
 */
export async function parkPartial(path: string, tempPath: string, state: PartialState): Promise<void> {
  const file = await stat(tempPath);
  const record: ResumeRecord = { ...state, ino: file.ino, mtimeMs: file.mtimeMs, fileSize: file.size };
  const recordTemp = `${tempPath}.resume.json`;
  await writeFile(recordTemp, JSON.stringify(record));
  await rename(recordTemp, recordPath(path));
  await rename(tempPath, resumePath(path));
}

/**
 * Take the kept partial of `path`, if any, by renaming it to `tempPath`: only one claimant
 * can win the rename, so two loads never write into the same file. Returns its state when
 * the sidecar vouches for exactly this file and this URI; otherwise the caller starts
 * over (and overwrites whatever `tempPath` now holds).
 */
export async function claimPartial(path: string, uri: string, tempPath: string): Promise<PartialState | undefined> {
  try {
    await rename(resumePath(path), tempPath);
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(await readFile(recordPath(path), 'utf8')) as ResumeRecord;
    const file = await stat(tempPath);
    const matches =
      record.uri === uri &&
      record.ino === file.ino &&
      record.mtimeMs === file.mtimeMs &&
      record.fileSize === file.size &&
      Array.isArray(record.done);
    if (!matches) return undefined;
    await rm(recordPath(path), { force: true });
    return { uri: record.uri, size: record.size, version: record.version, done: record.done };
  } catch {
    return undefined;
  }
}
