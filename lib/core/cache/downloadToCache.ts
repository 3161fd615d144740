import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { IntegrityError } from '../errors';
import { traced } from '../observability/tracing';
import type { ModelSource, SourceStat } from '../sources/ModelSource';
import type { CachedWeights } from './CachedWeights';
import { fileMarker, markVerified } from './cacheMarkers';
import { removeRecord, writeRecord, type CacheRecord } from './cacheRecord';
import { RangedDownload, type DownloadResult, type DownloadSettings, type DownloadStart } from './download';
import type { FetchOptions } from './FetchOptions';
import { claimPartial, parkPartial } from './resumeRecord';

/**
 * Download `source` into the cache at `path`: into a temp file beside it (resuming a kept
 * partial when there is one), verified against `expected` as it arrives, then renamed into
 * place with its record. An aborted or failed download is parked for the next one to resume.
 */
export async function downloadToCache(
  source: ModelSource,
  path: string,
  expected: string | undefined,
  known: SourceStat | undefined,
  settings: DownloadSettings,
  { signal, span }: Pick<FetchOptions, 'signal' | 'span'>,
  onBody?: () => void,
): Promise<CachedWeights> {
  await mkdir(join(path, '..'), { recursive: true });
  await removeStalePartials(path);
  // Unique per process and thread: concurrent writers never share a temp file, and the
  // rename below is atomic, so readers see either the old complete file or the new one.
  const temp = `${path}.partial-${process.pid}-${threadId}-${Math.random().toString(36).slice(2)}`;
  const kept = await claimPartial(path, source.uri, temp);
  const start: DownloadStart = kept ?? known ?? {};
  const file = await open(temp, kept ? 'r+' : 'w+');
  let download: RangedDownload | undefined;
  let keep = false;
  try {
    download = new RangedDownload(source, file, settings, start, signal, onBody);
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
    await removeRecord(path);
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
    await writeRecord(path, temp, record);
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
async function removeStalePartials(path: string): Promise<void> {
  const dir = join(path, '..');
  const prefix = `${basename(path)}.partial-`;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const s = await stat(join(dir, name)).catch(() => undefined);
    if (s && Date.now() - s.mtimeMs > 60_000) await rm(join(dir, name), { force: true });
  }
}
