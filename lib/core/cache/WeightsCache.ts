import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { IntegrityError } from '../errors';
import { FileModelSource } from '../sources/FileModelSource';
import { MODEL_FILE_NAME } from '../sources/ModelManifest';
import { isModelDirectory, type ModelLocation } from '../sources/ModelSource';
import type { CachedWeights } from './CachedWeights';
import { fetchDirectory } from './cachedDirectory';
import { fetchFile } from './cachedFile';
import type { DownloadSettings } from './download';
import { BackoffError, DownloadAbortedError } from './errors';
import type { FetchOptions } from './FetchOptions';
import { useLocalDirectory, useLocalFile } from './localWeights';
import { FailureBackoff, messageOf } from './FailureBackoff';

export type { CachedWeights } from './CachedWeights';
export type { FetchOptions } from './FetchOptions';

export const DEFAULT_CACHE_DIR = '/tmp/onnxless';

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
  /** When a model whose bytes failed their pin may be fetched again (default 10 s, doubling, at most 5 min). */
  pinBackoff?: FailureBackoff;
  /**
   * When a model whose fetch failed any other way (missing, denied, an outage past the retries,
   * a bad manifest) may be fetched again (default 1 s, doubling, at most 1 min).
   */
  fetchBackoff?: FailureBackoff;
}

/**
 * Defaults, from the figures in docs/benchmarks.md ("Figures behind the code" and "The ranged
 * downloader"): a part big enough that a GET's first-byte latency is a small share of its
 * transfer, enough connections to fill what a Lambda's network allows beyond one connection's
 * rate, and no splitting below two parts' worth, where it would save less than the extra
 * request costs, so small objects keep exactly one GET.
 */
export const DOWNLOAD_DEFAULTS = {
  partBytes: 8 * 1024 * 1024,
  concurrency: 8,
  attempts: 4,
  backoffMs: 200,
} as const;

/**
 * The /tmp cache of models: single `.onnx` files, and model directories (ModelManifest.ts).
 *
 * Currency: a cached file (cachedFile.ts) is trusted only with its record (`<file>.json`,
 * cacheRecord.ts), which is written after the bytes were verified and renamed into place, and
 * which names the file's inode, size and mtime: a partial, rewritten or truncated file does not
 * match and is replaced.
 * - With a pinned sha256 the weights are content-addressed: a record with that hash means no
 *   request to S3 at all. The bytes are hashed before they are used (a record can be forged, a
 *   file rewritten in place with its size and mtime kept), unless a verified marker shows they
 *   were hashed in this boot and not changed since (verifiedMarker.ts: a restart in the same
 *   sandbox skips the hash); see `deferVerification` for how a loader hides the hash behind
 *   session creation.
 * - Without a pin, one HEAD request compares the object's ETag and size with the record;
 *   equal means current, and the body is not downloaded again.
 *
 * A model directory (cachedDirectory.ts) is fetched file by file with the same machinery (each
 * file verified against the manifest's sha256), then its files are linked side by side into a
 * temp folder renamed into place as `<cache>/<uri digest>/<manifest sha256>/`: no half model is
 * ever used.
 *
 * Downloads (downloadToCache.ts, RangedDownload): one GET up to the threshold, parallel ranged
 * GETs above. An aborted or failed download is kept as `<file>.resume` with a sidecar of its
 * ranges and version; the next download of the URI claims it and fetches only what is missing.
 *
 * A fetch that fails is not tried again until its backoff ends (FailureBackoff): every caller in
 * between gets a BackoffError (`repeated`) naming the failure and the seconds left, and the store
 * sees nothing. Bytes that fail their pin wait 10 s doubling to 5 min (a download in full each
 * time); every other failure 1 s doubling to 1 min, so a pushed or repaired model is found soon.
 * A stopped download (the caller's deadline) is no failure: the next load resumes it at once.
 *
 * Local files and folders are not copied: they are used in place, a pin checked by hashing them
 * (localWeights.ts).
 */
export class WeightsCache {
  readonly dir: string;
  private readonly settings: DownloadSettings;
  private readonly pinBackoff: FailureBackoff;
  private readonly fetchBackoff: FailureBackoff;

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
    this.pinBackoff = options.pinBackoff ?? new FailureBackoff(10_000, 5 * 60_000);
    this.fetchBackoff = options.fetchBackoff ?? new FailureBackoff(1_000, 60_000);
  }

  /** Path of the cached copy of a single-file `uri`: one folder per URI, named so a human can tell which. */
  pathFor(uri: string): string {
    const name = basename(uri).replace(/[^A-Za-z0-9._-]/g, '_') || MODEL_FILE_NAME;
    return join(this.rootFor(uri), name);
  }

  /** Folder of everything cached for `uri`. A model directory lives in `<root>/<manifest sha256>/`. */
  rootFor(uri: string): string {
    return join(this.dir, createHash('sha256').update(uri).digest('hex').slice(0, 16));
  }

  async fetch(source: ModelLocation, pin?: string, options: FetchOptions = {}): Promise<CachedWeights> {
    const expected = pin?.toLowerCase();
    const key = `${source.uri}#${expected ?? ''}`;
    const refusal = this.refusal(source, key);
    if (refusal) throw refusal;
    try {
      const weights = await this.fetchFrom(source, expected, options);
      this.pinBackoff.succeeded(key);
      this.fetchBackoff.succeeded(key);
      return weights;
    } catch (err) {
      if (err instanceof DownloadAbortedError) throw err;
      const backoff = expected !== undefined && err instanceof IntegrityError ? this.pinBackoff : this.fetchBackoff;
      const seconds = backoff.failed(key, err);
      throw new BackoffError(`${messageOf(err)}; it is not fetched again for ${seconds} s`, seconds, false, { cause: err });
    }
  }

  /** The BackoffError for a source whose last fetch failed and whose wait is not over. */
  private refusal(source: ModelLocation, key: string): BackoffError | undefined {
    const pin = this.pinBackoff.blocked(key);
    if (pin) {
      const message = `${source.description} failed its sha256 pin ${pin.secondsAgo} s ago (${pin.message}); it is not fetched again for another ${pin.secondsLeft} s`;
      return new BackoffError(message, pin.secondsLeft, true, { cause: pin.error });
    }
    const failed = this.fetchBackoff.blocked(key);
    if (!failed) return undefined;
    const message = `the fetch ${failed.secondsAgo} s ago failed (${failed.message}); it is not fetched again for another ${failed.secondsLeft} s`;
    return new BackoffError(message, failed.secondsLeft, true, { cause: failed.error });
  }

  /** Local sources are used in place; remote ones go through the cache (cachedDirectory.ts, cachedFile.ts). */
  private fetchFrom(source: ModelLocation, expected: string | undefined, options: FetchOptions): Promise<CachedWeights> {
    if (isModelDirectory(source)) {
      if (source.localPath !== undefined) return useLocalDirectory(source, source.localPath, expected, options);
      return fetchDirectory(source, this.rootFor(source.uri), expected, this.settings, options);
    }
    if (source instanceof FileModelSource) return useLocalFile(source, expected, options);
    return fetchFile(source, this.pathFor(source.uri), expected, this.settings, options, options.onModelBody);
  }
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`WeightsCache option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
