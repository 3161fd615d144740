import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface ZipEntry {
  /** File on disk. */
  readonly source: string;
  /** Path inside the archive, `/`-separated. */
  readonly target: string;
}

// A fixed timestamp and sorted entries make the archive a function of its content: an unchanged
// layer hashes the same, so `serverless deploy` does not publish a new layer version for nothing.
const FIXED_MTIME = new Date('2000-01-01T00:00:00Z');

/** Writes a deterministic zip and returns its size; the file appears only once complete (temp file + rename). */
export async function writeZip(entries: readonly ZipEntry[], out: string): Promise<number> {
  await mkdir(path.dirname(out), { recursive: true });
  const temp = `${out}.${process.pid}.partial`;
  const zip = new ZipFile();
  for (const entry of [...entries].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0))) {
    zip.addFile(entry.source, entry.target, { mtime: FIXED_MTIME, mode: 0o100644, compress: true });
  }
  zip.end();
  try {
    await pipeline(zip.outputStream, createWriteStream(temp));
    await rename(temp, out);
    return (await stat(out)).size;
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
