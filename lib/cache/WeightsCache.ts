import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { IntegrityError } from '../errors';
import { FileModelSource } from '../sources/FileModelSource';
import type { ModelSource, SourceStat } from '../sources/ModelSource';
import { RangedDownload, type DownloadDiagnostics, type DownloadResult, type DownloadSettings, type DownloadStart } from './download';
import { claimPartial, parkPartial } from './resumeRecord';
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
  /** GET requests made for the body (0 when the cache answered). */
  attempts: number;
  /** Byte ranges fetched (1 for a single-GET download). */
  parts: number;
  /** Bytes that a previous, aborted or failed load had already kept on disk. */
  resumedBytes: number;
  /** Bytes fetched and then thrown away because the object changed mid-download. */
  refetchedBytes: number;
  /** Present when the weights were downloaded. */
  diagnostics?: DownloadDiagnostics;
}

export interface WeightsCacheOptions {
  dir?: string;
  /** Attempts per part for retryable failures (cut connections, 5xx after the SDK's own retries). */
  attempts?: number;
  /** Base of the exponential backoff between a part's attempts, in ms. */
  backoffMs?: number;
  /** Bytes per ranged GET for objects above the threshold (env ONNXLESS_DOWNLOAD_PART_BYTES). */
  partBytes?: number;
  /** Ranged GETs in flight at once (env ONNXLESS_DOWNLOAD_CONCURRENCY). */
  concurrency?: number;
  /** Objects up to this size are fetched with a single GET. Default: two parts. */
  parallelThresholdBytes?: number;
}

export interface FetchOptions {
  /**
   * Stop the download: it fails with DownloadAbortedError and keeps the bytes it has, so the
   * next fetch of the same URI resumes from them. A kept partial is never used as a model.
   */
  signal?: AbortSignal;
}

/**
 * Defaults, measured in docs/benchmarks.md. S3 serves one connection at tens of MB/s and
 * answers a GET's first byte after ~20-50 ms: an 8 MiB part keeps that latency under a fifth
 * of each part's time at 50-90 MB/s, 8 connections reach the 4x+ a Lambda's network allows,
 * and below two parts' worth splitting saves at most one part's time (~0.1-0.2 s) against an
 * extra request, so small objects keep exactly one GET.
 */
export const DOWNLOAD_DEFAULTS = {
  partBytes: 8 * 1024 * 1024,
  concurrency: 8,
  attempts: 4,
  backoffMs: 200,
} as const;

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
 *
 * Downloads (see RangedDownload): one GET up to the threshold, parallel ranged GETs above.
 * An aborted or failed download is kept as `<file>.resume` with a sidecar of its ranges and
 * version; the next download of the URI claims it and fetches only what is missing.
 */
export class WeightsCache {
  readonly dir: string;
  private readonly settings: DownloadSettings;

  constructor(options: WeightsCacheOptions = {}) {
    this.dir = options.dir ?? DEFAULT_CACHE_DIR;
    const partBytes = positiveInt('partBytes', options.partBytes ?? DOWNLOAD_DEFAULTS.partBytes);
    this.settings = {
      partBytes,
      concurrency: positiveInt('concurrency', options.concurrency ?? DOWNLOAD_DEFAULTS.concurrency),
      thresholdBytes: positiveInt('parallelThresholdBytes', options.parallelThresholdBytes ?? 2 * partBytes),
      attempts: positiveInt('attempts', options.attempts ?? DOWNLOAD_DEFAULTS.attempts),
      backoffMs: Math.max(0, options.backoffMs ?? DOWNLOAD_DEFAULTS.backoffMs),
    };
  }

  /** Path of the cached copy of `uri`: one folder per URI, named so a human can tell which. */
  pathFor(uri: string): string {
    const digest = createHash('sha256').update(uri).digest('hex').slice(0, 16);
    const name = basename(uri).replace(/[^A-Za-z0-9._-]/g, '_') || 'model.onnx';
    return join(this.dir, digest, name);
  }

  async fetch(source: ModelSource, pin?: string, options: FetchOptions = {}): Promise<CachedWeights> {
    const expected = pin?.toLowerCase();
    if (source instanceof FileModelSource) return this.useLocalFile(source, expected);

    const path = this.pathFor(source.uri);
    const record = await this.validRecord(path, source.uri);
    let known: SourceStat | undefined;
    if (record) {
      if (expected && record.sha256 === expected) return fromCache(path, record);
      if (!expected) {
        known = await source.stat();
        if (known.version === record.version && known.size === record.size) return fromCache(path, record);
      }
    }
    return this.download(source, path, expected, known, options.signal);
  }

  private async useLocalFile(source: FileModelSource, expected: string | undefined): Promise<CachedWeights> {
    const { size } = await source.stat();
    // A local file is used in place (no copy); a pin is still checked, by hashing it.
    const sha256 = expected ? await sha256OfFile(source.path) : '';
    if (expected && sha256 !== expected) {
      throw new IntegrityError(`${source.path}: sha256 is ${sha256}, expected ${expected}`);
    }
    return { path: source.path, size, sha256, origin: 'local-file', attempts: 0, parts: 0, resumedBytes: 0, refetchedBytes: 0 };
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

  private async download(
    source: ModelSource,
    path: string,
    expected: string | undefined,
    known: SourceStat | undefined,
    signal: AbortSignal | undefined,
  ): Promise<CachedWeights> {
    await mkdir(join(path, '..'), { recursive: true });
    await this.removeStalePartials(path);
    // Unique per process and thread: concurrent writers never share a temp file, and the
    // rename below is atomic, so readers see either the old complete file or the new one.
    const temp = `${path}.partial-${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}`;
    const kept = await claimPartial(path, source.uri, temp);
    const start: DownloadStart = kept ?? known ?? {};
    const file = await open(temp, kept ? 'r+' : 'w+');
    let download: RangedDownload | undefined;
    let keep = false;
    try {
      download = new RangedDownload(source, file, this.settings, start, signal);
      let result: DownloadResult;
      try {
        result = await download.run();
      } catch (err) {
        // Bytes proven wrong are dropped; anything else (abort, cut, outage) is kept to resume.
        keep = !(err instanceof IntegrityError) && !download.done.isEmpty;
        throw err;
      }
      await file.close();
      if (expected && result.sha256 !== expected) {
        throw new IntegrityError(`${source.description}: sha256 is ${result.sha256}, expected ${expected}`);
      }
      await rm(`${path}.json`, { force: true });
      await rename(temp, path);
      const stats = await stat(path);
      const record: CacheRecord = {
        uri: source.uri,
        size: result.size,
        version: result.version,
        sha256: result.sha256,
        ino: stats.ino,
        mtimeMs: stats.mtimeMs,
      };
      const recordTemp = `${temp}.json`;
      await writeFile(recordTemp, JSON.stringify(record));
      await rename(recordTemp, `${path}.json`);
      return {
        path,
        size: result.size,
        sha256: result.sha256,
        origin: 'download',
        attempts: result.requests,
        parts: result.parts,
        resumedBytes: result.resumedBytes,
        refetchedBytes: result.refetchedBytes,
        diagnostics: result.diagnostics,
      };
    } finally {
      await file.close().catch(() => undefined);
      if (keep && download?.size !== undefined && download.version !== undefined) {
        await parkPartial(path, temp, {
          uri: source.uri,
          size: download.size,
          version: download.version,
          done: download.done.toJSON(),
        }).catch(() => rm(temp, { force: true }));
      } else {
        await rm(temp, { force: true });
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

function fromCache(path: string, record: CacheRecord): CachedWeights {
  return { path, size: record.size, sha256: record.sha256, origin: 'cache', attempts: 0, parts: 0, resumedBytes: 0, refetchedBytes: 0 };
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`WeightsCache option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
