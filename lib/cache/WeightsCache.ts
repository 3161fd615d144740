import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { IntegrityError } from '../errors';
import { FileModelSource } from '../sources/FileModelSource';
import { MANIFEST_NAME, MODEL_FILE_NAME, graphView, manifestBytes, parseManifest, type ModelManifest } from '../sources/ModelManifest';
import { isModelDirectory, type ModelDirectorySource, type ModelLocation, type ModelSource, type SourceStat } from '../sources/ModelSource';
import { RangedDownload, type DownloadDiagnostics, type DownloadResult, type DownloadSettings, type DownloadStart } from './download';
import { PinBackoffError } from './errors';
import { hashFiles } from './hashFiles';
import { assembleDirectory, directoryPaths, validDirectory } from './modelDirectory';
import { PinBackoff } from './PinBackoff';
import { claimPartial, parkPartial } from './resumeRecord';
import { verifiedMarkerHolds, writeVerifiedMarker } from './verifiedMarker';
import { traced, type SpanParent } from '../observability/tracing';

/** Beside a pinned cached file: its verified marker (verifiedMarker.ts). */
const fileMarker = (path: string): string => `${path}.verified`;
/** Inside an assembled model directory: the marker of all its files. */
const DIRECTORY_MARKER = '.onnxless-verified.json';

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
  /** The file onnxruntime loads (`model.onnx` of a model directory, or its pre-optimised graph). */
  path: string;
  /** `optimized`: `path` is the graph onnxruntime optimised at push time (FetchOptions.optimizedFor). */
  graph?: 'original' | 'optimized';
  /** The folder holding it and its companion files, side by side. */
  dir: string;
  /** Companion and external-data files by their path in the model directory (empty for a single file). */
  files: readonly string[];
  /** Bytes of every file of the model. */
  size: number;
  /** sha256 of the file, or of the manifest for a model directory: what a pin is compared with. */
  sha256: string;
  /**
   * Present when the caller asked to defer verification (FetchOptions.deferVerification): the
   * pinned copy in the cache is being hashed, on a worker thread. It rejects with an
   * IntegrityError when the bytes do not match, after removing them from the cache, and the
   * caller must then discard whatever it made from them and fetch again.
   */
  verified?: Promise<void>;
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
  /** When a model whose bytes failed their pin may be fetched again (default 10 s, doubling, at most 5 min). */
  pinBackoff?: PinBackoff;
}

export interface FetchOptions {
  /**
   * Stop the download: it fails with DownloadAbortedError and keeps the bytes it has, so the
   * next fetch of the same URI resumes from them. A kept partial is never used as a model.
   */
  signal?: AbortSignal;
  /**
   * A pinned model found in the cache is hashed before it is used. With this set, fetch does not
   * wait for that hash: it returns at once with `verified`, so the caller can create the session
   * while the hash runs, and use the session only once `verified` resolves.
   */
  deferVerification?: boolean;
  /**
   * The running onnxruntime version: a model directory whose manifest holds a graph
   * pre-optimised by that version is fetched with it in place of the original graph (which is
   * then not downloaded). Any other version, or none given, gets the original.
   */
  optimizedFor?: string;
  /**
   * Called once, when the body of the model's graph (not of a manifest or companion file)
   * begins to arrive: the loader requires onnxruntime then, while the rest is in flight.
   */
  onModelBody?: () => void;
  /** The trace span the downloads hang off (a traced load's; lib/observability/tracing.ts). */
  span?: SpanParent;
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
 * The /tmp cache of models: single `.onnx` files, and model directories (ModelManifest.ts).
 *
 * Currency: a cached file is trusted only with its record (`<file>.json`), which is written
 * after the bytes were verified and renamed into place, and which names the file's inode,
 * size and mtime: a partial, rewritten or truncated file does not match and is replaced.
 * - With a pinned sha256 the weights are content-addressed: a record with that hash means no
 *   request to S3 at all. The bytes are hashed before they are used (a record can be forged, a
 *   file rewritten in place with its size and mtime kept), unless a verified marker shows they
 *   were hashed in this boot and not changed since (verifiedMarker.ts: a restart in the same
 *   sandbox skips the hash); see `deferVerification` for how a loader hides the hash behind
 *   session creation.
 * - Without a pin, one HEAD request compares the object's ETag and size with the record;
 *   equal means current, and the body is not downloaded again.
 *
 * A model directory is fetched file by file with the same machinery (each file verified
 * against the manifest's sha256), then its files are linked side by side into a temp folder
 * renamed into place as `<cache>/<uri digest>/<manifest sha256>/`: no half model is ever used.
 *
 * Downloads (see RangedDownload): one GET up to the threshold, parallel ranged GETs above.
 * An aborted or failed download is kept as `<file>.resume` with a sidecar of its ranges and
 * version; the next download of the URI claims it and fetches only what is missing.
 *
 * A model whose bytes fail their pin is not fetched again until its backoff ends (PinBackoff).
 */
export class WeightsCache {
  readonly dir: string;
  private readonly settings: DownloadSettings;
  private readonly backoff: PinBackoff;

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
    this.backoff = options.pinBackoff ?? new PinBackoff();
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
    const blocked = expected ? this.backoff.blocked(key) : undefined;
    if (blocked) {
      throw new PinBackoffError(
        `${source.description} failed its sha256 pin ${blocked.secondsAgo} s ago (${blocked.message}); ` +
          `it is not fetched again for another ${blocked.secondsLeft} s`,
        blocked.secondsLeft,
      );
    }
    try {
      const weights = isModelDirectory(source)
        ? await this.fetchDirectory(source, expected, options)
        : source instanceof FileModelSource
          ? await this.useLocalFile(source, expected, options)
          : await this.fetchFile(source, this.pathFor(source.uri), expected, options, options.onModelBody);
      if (expected) this.backoff.succeeded(key);
      return weights;
    } catch (err) {
      if (!expected || !(err instanceof IntegrityError) || err instanceof PinBackoffError) throw err;
      const seconds = this.backoff.failed(key, err.message);
      throw new PinBackoffError(`${err.message}; it is not fetched again for ${seconds} s`, seconds);
    }
  }

  /** One object, cached at `path` (with `<path>.json`, `.resume`, `.partial-*` beside it). */
  private async fetchFile(
    source: ModelSource,
    path: string,
    expected: string | undefined,
    options: FetchOptions,
    onBody?: () => void,
  ): Promise<CachedWeights> {
    const record = await this.validRecord(path, source.uri);
    let known: SourceStat | undefined;
    if (record) {
      if (expected && record.sha256 === expected) {
        const cached = fromCache(path, record);
        // Hashed in this boot and unchanged since: no second hash (a restart's warm start).
        if (await verifiedMarkerHolds(fileMarker(path), [path], expected)) return cached;
        const verified = this.verifyFile(source, path, expected, record.size).then(() => markVerified(fileMarker(path), [path], expected));
        if (options.deferVerification) return { ...cached, verified };
        if (
          await verified.then(
            () => true,
            () => false,
          )
        )
          return cached;
      } else if (!expected) {
        known = await source.stat();
        if (known.version === record.version && known.size === record.size) return fromCache(path, record);
      }
    }
    return this.download(source, path, expected, known, options, onBody);
  }

  /** Hash a cached file against its pin; a mismatch removes it, so the next fetch downloads it again. */
  private async verifyFile(source: ModelSource, path: string, expected: string, size: number): Promise<void> {
    const [sha256] = await hashFiles([path], size);
    if (sha256 === expected) return;
    await evictFile(path);
    throw new IntegrityError(`the cached copy of ${source.description} has sha256 ${sha256}, expected ${expected}: removed from the cache`);
  }

  private async useLocalFile(source: FileModelSource, expected: string | undefined, options: FetchOptions): Promise<CachedWeights> {
    const { size } = await source.stat();
    const weights: CachedWeights = {
      ...emptyFigures('local-file'),
      path: source.path,
      dir: dirname(source.path),
      files: [],
      size,
      sha256: expected ?? '',
      graph: 'original',
    };
    if (!expected) return weights;
    // A local file is used in place (no copy); a pin is still checked, by hashing it.
    const verified = hashFiles([source.path], size).then(([sha256]) => {
      if (sha256 !== expected) throw new IntegrityError(`${source.path}: sha256 is ${sha256}, expected ${expected}`);
    });
    if (options.deferVerification) return { ...weights, verified };
    await verified;
    return weights;
  }

  /** A model directory: its manifest, then each file it lists, then the whole laid out side by side. */
  private async fetchDirectory(source: ModelDirectorySource, expected: string | undefined, options: FetchOptions): Promise<CachedWeights> {
    if (source.localPath !== undefined) return this.useLocalDirectory(source, source.localPath, expected, options);
    const root = this.rootFor(source.uri);
    if (expected) {
      // Either form of the model already here saves the download; the pre-optimised one first.
      const forms = options.optimizedFor ? [true, false] : [false];
      for (const optimized of forms) {
        const found = await this.cachedDirectory(source, join(root, directoryName(expected, optimized)), expected, optimized, options);
        if (found) return found;
      }
    }
    // Staged by content (`files/<sha256>`): no file name can collide with another's `.json` record.
    const staging = (name: string): string => join(root, 'files', name);
    const manifestFile = await this.fetchFile(source.file(MANIFEST_NAME), staging(MANIFEST_NAME), expected, {
      signal: options.signal,
      span: options.span,
    });
    const full = parseManifest(await readFile(manifestFile.path, 'utf8'), source.file(MANIFEST_NAME).description);
    const optimized = full.optimized !== undefined && full.optimized.onnxruntime === options.optimizedFor;
    const manifest = graphView(full, optimized);
    const final = join(root, directoryName(manifestFile.sha256, optimized));
    if (!expected && (await validDirectory(final, source.uri, manifestFile.sha256))) {
      return directoryWeights(final, manifest, manifestFile.sha256, emptyFigures('cache'), optimized);
    }
    const staged = new Map<string, string>([[MANIFEST_NAME, manifestFile.path]]);
    const figures = emptyFigures('cache');
    // One file at a time: each large file already downloads in parallel ranges.
    for (const file of manifest.files) {
      const onBody = file.path === manifest.model ? options.onModelBody : undefined;
      const got = await this.fetchFile(
        source.file(file.path),
        staging(file.sha256),
        file.sha256,
        { signal: options.signal, span: options.span },
        onBody,
      );
      if (got.size !== file.size) {
        await evictFile(got.path);
        throw new IntegrityError(`${source.file(file.path).description} is ${got.size} bytes, the manifest says ${file.size}`);
      }
      staged.set(file.path, got.path);
      addFigures(figures, got);
    }
    await assembleDirectory(final, source.uri, manifestFile.sha256, staged);
    if (expected) await this.markAssembled(final, staged, expected);
    return directoryWeights(final, manifest, manifestFile.sha256, figures, optimized);
  }

  /**
   * Every file of a freshly assembled pinned directory was hashed as it downloaded: mark it
   * verified, provided each is a link to the staged copy that was hashed (same inode), not
   * another loader's directory kept in its place or a copy.
   */
  private async markAssembled(final: string, staged: ReadonlyMap<string, string>, expected: string): Promise<void> {
    const paths: string[] = [];
    for (const [path, from] of staged) {
      const [a, b] = await Promise.all([stat(join(final, path)), stat(from)]).catch(() => [undefined, undefined]);
      if (!a || !b || a.ino !== b.ino || a.dev !== b.dev) return;
      paths.push(join(final, path));
    }
    await markVerified(join(final, DIRECTORY_MARKER), paths, expected);
  }

  /** A pinned directory already in the cache, once its files hash to what its manifest says. */
  private async cachedDirectory(
    source: ModelDirectorySource,
    dir: string,
    expected: string,
    optimized: boolean,
    options: FetchOptions,
  ): Promise<CachedWeights | undefined> {
    if (!(await validDirectory(dir, source.uri, expected))) return undefined;
    let manifest: ModelManifest;
    try {
      const full = parseManifest(await readFile(join(dir, MANIFEST_NAME), 'utf8'), source.description);
      if (optimized && full.optimized?.onnxruntime !== options.optimizedFor) return undefined;
      manifest = graphView(full, optimized);
    } catch {
      await rm(dir, { recursive: true, force: true });
      return undefined;
    }
    const paths = directoryPaths(manifest).map((p) => join(dir, p));
    if (await verifiedMarkerHolds(join(dir, DIRECTORY_MARKER), paths, expected)) {
      return directoryWeights(dir, manifest, expected, emptyFigures('cache'), optimized);
    }
    const hashed = this.verifyDirectory(source, dir, manifest, expected, async (bad) => {
      await rm(dir, { recursive: true, force: true });
      // The staged copies share the bad inodes: drop them too, so they are downloaded again.
      const shaOf = new Map(manifest.files.map((f) => [f.path, f.sha256]));
      for (const path of bad) await evictFile(join(dirname(dir), 'files', shaOf.get(path) ?? path));
    });
    const verified = hashed.then(() => markVerified(join(dir, DIRECTORY_MARKER), paths, expected));
    const weights = directoryWeights(dir, manifest, expected, emptyFigures('cache'), optimized);
    if (options.deferVerification) return { ...weights, verified };
    return (await verified.then(
      () => true,
      () => false,
    ))
      ? weights
      : undefined;
  }

  /**
   * Hash every file of a directory (the manifest against the pin, the rest against the
   * manifest); on a mismatch call `evict` with the bad paths and reject naming them.
   */
  private async verifyDirectory(
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

  /** A local folder, used in place. With a pin it needs its manifest, and every file is hashed. */
  private async useLocalDirectory(
    source: ModelDirectorySource,
    dir: string,
    expected: string | undefined,
    options: FetchOptions,
  ): Promise<CachedWeights> {
    const manifestText = await readFile(join(dir, MANIFEST_NAME), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' && !expected) return undefined;
      throw new IntegrityError(
        `${source.description}: cannot read ${MANIFEST_NAME}, which a pinned model directory needs (${err.message})`,
      );
    });
    if (manifestText === undefined) {
      // A bare folder (a dev machine, SageMaker's model data): model.onnx and whatever is beside it.
      const path = join(dir, MODEL_FILE_NAME);
      const { size } = await stat(path).catch((err: unknown) => {
        throw new IntegrityError(`${source.description} has no ${MANIFEST_NAME} and no ${MODEL_FILE_NAME} (${(err as Error).message})`);
      });
      return { ...emptyFigures('local-file'), path, dir, files: [], size, sha256: '', graph: 'original' };
    }
    const manifest = parseManifest(manifestText, join(dir, MANIFEST_NAME));
    const weights = directoryWeights(dir, manifest, expected ?? '', emptyFigures('local-file'), false);
    if (!expected) return weights;
    const verified = this.verifyDirectory(source, dir, manifest, expected, async () => undefined);
    if (options.deferVerification) return { ...weights, verified };
    await verified;
    return weights;
  }

  private async validRecord(path: string, uri: string): Promise<CacheRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(`${path}.json`, 'utf8')) as CacheRecord;
      const file = await stat(path);
      const matches = record.uri === uri && file.size === record.size && file.ino === record.ino && file.mtimeMs === record.mtimeMs;
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
    { signal, span }: Pick<FetchOptions, 'signal' | 'span'>,
    onBody?: () => void,
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
      download = new RangedDownload(source, file, this.settings, start, signal, onBody);
      let result: DownloadResult;
      try {
        const run = download;
        result = await traced(
          's3 download',
          () => run.run(),
          (r) => ({ bytes: r.size, parts: r.parts, resumedBytes: r.resumedBytes }),
          span,
        );
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
      // Hashed as it arrived: a restart in this sandbox need not hash it again.
      if (expected) await markVerified(fileMarker(path), [path], expected);
      return {
        path,
        graph: 'original',
        dir: dirname(path),
        files: [],
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

type Figures = Pick<CachedWeights, 'origin' | 'attempts' | 'parts' | 'resumedBytes' | 'refetchedBytes'>;

function emptyFigures(origin: CachedWeights['origin']): Figures {
  return { origin, attempts: 0, parts: 0, resumedBytes: 0, refetchedBytes: 0 };
}

/** A directory counts as downloaded when any of its files was. */
function addFigures(sum: Figures, file: CachedWeights): void {
  if (file.origin === 'download') sum.origin = 'download';
  sum.attempts += file.attempts;
  sum.parts += file.parts;
  sum.resumedBytes += file.resumedBytes;
  sum.refetchedBytes += file.refetchedBytes;
}

function fromCache(path: string, record: CacheRecord): CachedWeights {
  return { ...emptyFigures('cache'), path, dir: dirname(path), files: [], size: record.size, sha256: record.sha256, graph: 'original' };
}

/** `<manifest sha256>` holds the model as pushed; `-optimized` the same with the pre-optimised graph in place of the original. */
function directoryName(sha256: string, optimized: boolean): string {
  return optimized ? `${sha256}-optimized` : sha256;
}

/** `manifest` is the view fetched (graphView): its `model` is the graph onnxruntime loads. */
function directoryWeights(dir: string, manifest: ModelManifest, sha256: string, figures: Figures, optimized: boolean): CachedWeights {
  return {
    ...figures,
    graph: optimized ? 'optimized' : 'original',
    path: join(dir, manifest.model),
    dir,
    files: manifest.files.map((f) => f.path).filter((p) => p !== manifest.model),
    size: manifestBytes(manifest),
    sha256,
  };
}

/** Drop a cached file and its record: the next fetch downloads it again. */
async function evictFile(path: string): Promise<void> {
  await rm(fileMarker(path), { force: true });
  await rm(`${path}.json`, { force: true });
  await rm(path, { force: true });
}

/** A marker is a shortcut: failing to write one only means the next process hashes again. */
async function markVerified(marker: string, paths: readonly string[], sha256: string): Promise<void> {
  await writeVerifiedMarker(marker, paths, sha256).catch(() => undefined);
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`WeightsCache option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
