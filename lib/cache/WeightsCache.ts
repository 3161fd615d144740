import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { IntegrityError } from '../errors';
import { FileModelSource } from '../sources/FileModelSource';
import { SourceAccessDeniedError, SourceNotFoundError, type ModelSource } from '../sources/ModelSource';
import { downloadAttempt, newPartial, type PartialDownload } from './download';
import { sha256OfFile } from './sha256OfFile';

export const DEFAULT_CACHE_DIR = '/tmp/onnxless';

/** Written beside a cached model once its bytes are verified and in place. */
interface CacheRecord {
  uri: string;
  size: number;
  /** The store's version token (S3 ETag) when the bytes were fetched. */
  version: string;
  sha256: string;
  /** Identity of the file the record vouches for: any rewrite changes one of these. */
  ino: number;
  mtimeMs: number;
}

export interface CachedWeights {
  path: string;
  size: number;
  sha256: string;
  /** How the weights were obtained, for logs and tests. */
  origin: 'download' | 'cache' | 'local-file';
  /** Download attempts made (0 when the cache answered). */
  attempts: number;
  /** Bytes fetched more than once (restarted downloads). */
  refetchedBytes: number;
}

export interface WeightsCacheOptions {
  dir?: string;
  /** Download attempts for retryable failures (cut connections, 5xx after the SDK's own retries). */
  attempts?: number;
  /** Base of the exponential backoff between attempts, in ms. */
  backoffMs?: number;
}

/**
 * The /tmp cache of model weights.
 *
 * Currency: a cached file is trusted only with its record (`<file>.json`), which is written
 * after the bytes were verified and renamed into place, and which names the file's inode,
 * size and mtime: a partial, rewritten or truncated file does not match and is replaced.
 * - With a pinned sha256 the weights are content-addressed: a record with that hash is
 *   used with no request to S3 at all.
 * - Without a pin, one HEAD request compares the object's ETag and size with the record;
 *   equal means current, and the body is not downloaded again.
 */
export class WeightsCache {
  readonly dir: string;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(options: WeightsCacheOptions = {}) {
    this.dir = options.dir ?? DEFAULT_CACHE_DIR;
    this.attempts = options.attempts ?? 4;
    this.backoffMs = options.backoffMs ?? 200;
  }

  /** Path of the cached copy of `uri`: one folder per URI, named so a human can tell which. */
  pathFor(uri: string): string {
    const digest = createHash('sha256').update(uri).digest('hex').slice(0, 16);
    const name = basename(uri).replace(/[^A-Za-z0-9._-]/g, '_') || 'model.onnx';
    return join(this.dir, digest, name);
  }

  async fetch(source: ModelSource, pin?: string): Promise<CachedWeights> {
    const expected = pin?.toLowerCase();
    if (source instanceof FileModelSource) return this.useLocalFile(source, expected);

    const path = this.pathFor(source.uri);
    const record = await this.validRecord(path, source.uri);
    if (record && (await this.isCurrent(record, source, expected))) {
      return { path, size: record.size, sha256: record.sha256, origin: 'cache', attempts: 0, refetchedBytes: 0 };
    }
    return this.download(source, path, expected);
  }

  private async useLocalFile(source: FileModelSource, expected: string | undefined): Promise<CachedWeights> {
    const { size } = await source.stat();
    // A local file is used in place (no copy); a pin is still checked, by hashing it.
    const sha256 = expected ? await sha256OfFile(source.path) : '';
    if (expected && sha256 !== expected) {
      throw new IntegrityError(`${source.path}: sha256 is ${sha256}, expected ${expected}`);
    }
    return { path: source.path, size, sha256, origin: 'local-file', attempts: 0, refetchedBytes: 0 };
  }

  private async isCurrent(record: CacheRecord, source: ModelSource, expected: string | undefined): Promise<boolean> {
    if (expected) return record.sha256 === expected;
    const now = await source.stat();
    return now.version === record.version && now.size === record.size;
  }

  private async validRecord(path: string, uri: string): Promise<CacheRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(`${path}.json`, 'utf8')) as CacheRecord;
      const file = await stat(path);
      const matches =
        record.uri === uri && file.size === record.size && file.ino === record.ino && file.mtimeMs === record.mtimeMs;
      return matches ? record : undefined;
    } catch {
      return undefined;
    }
  }

  private async download(source: ModelSource, path: string, expected: string | undefined): Promise<CachedWeights> {
    await mkdir(join(path, '..'), { recursive: true });
    await this.removeStalePartials(path);
    // Unique per process and thread: concurrent writers never share a temp file, and the
    // rename below is atomic, so readers see either the old complete file or the new one.
    const partial = newPartial(`${path}.partial-${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}`);
    try {
      const result = await this.withRetries(source, partial);
      if (expected && result.sha256 !== expected) {
        throw new IntegrityError(`${source.description}: sha256 is ${result.sha256}, expected ${expected}`);
      }
      await rm(`${path}.json`, { force: true });
      await rename(partial.path, path);
      const file = await stat(path);
      const record: CacheRecord = {
        uri: source.uri,
        size: result.size,
        version: result.version,
        sha256: result.sha256,
        ino: file.ino,
        mtimeMs: file.mtimeMs,
      };
      const recordTemp = `${partial.path}.json`;
      await writeFile(recordTemp, JSON.stringify(record));
      await rename(recordTemp, `${path}.json`);
      return {
        path,
        size: result.size,
        sha256: result.sha256,
        origin: 'download',
        attempts: partial.attempts,
        refetchedBytes: partial.refetched,
      };
    } finally {
      await rm(partial.path, { force: true });
    }
  }

  private async withRetries(source: ModelSource, partial: PartialDownload) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await downloadAttempt(source, partial);
      } catch (err) {
        const final =
          attempt >= this.attempts ||
          err instanceof SourceNotFoundError ||
          err instanceof SourceAccessDeniedError ||
          err instanceof IntegrityError;
        if (final) throw err;
        await sleep(this.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
      }
    }
  }

  /** Temp files left by a process that died mid-download: older than a minute, nobody owns them. */
  private async removeStalePartials(path: string): Promise<void> {
    const dir = join(path, '..');
    const prefix = `${basename(path)}.partial-`;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!name.startsWith(prefix)) continue;
      const s = await stat(join(dir, name)).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > 60_000) await rm(join(dir, name), { force: true });
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
