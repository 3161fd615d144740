import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';

/** Written beside a cached model once its bytes are verified and in place. */
export interface CacheRecord {
  uri: string;
  size: number;
  /** The store's version token (S3 ETag) when the bytes were fetched. */
  version: string;
  sha256: string;
  /** Identity of the file the record vouches for: any rewrite changes one of these. */
  ino: number;
  mtimeMs: number;
}

/** The record of the file at `path`, when it vouches for exactly that file, as it is now, for `uri`. */
export async function validRecord(path: string, uri: string): Promise<CacheRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(`${path}.json`, 'utf8')) as CacheRecord;
    const file = await stat(path);
    const matches = record.uri === uri && file.size === record.size && file.ino === record.ino && file.mtimeMs === record.mtimeMs;
    return matches ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Written to `<temp>.json` (the caller's unique temp name), then renamed into place: never half a record. */
export async function writeRecord(path: string, temp: string, record: CacheRecord): Promise<void> {
  const recordTemp = `${temp}.json`;
  await writeFile(recordTemp, JSON.stringify(record));
  await rename(recordTemp, `${path}.json`);
}

export async function removeRecord(path: string): Promise<void> {
  await rm(`${path}.json`, { force: true });
}
