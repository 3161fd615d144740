import { dirname } from 'node:path';
import { rm } from 'node:fs/promises';
import { IntegrityError } from '../errors';
import type { ModelSource, SourceStat } from '../sources/ModelSource';
import { emptyFigures, type CachedWeights } from './CachedWeights';
import { fileMarker, markVerified } from './cacheMarkers';
import { removeRecord, validRecord, type CacheRecord } from './cacheRecord';
import type { DownloadSettings } from './download';
import { downloadToCache } from './downloadToCache';
import type { FetchOptions } from './FetchOptions';
import { hashFiles } from './hashFiles';
import { verifiedMarkerHolds } from './verifiedMarker';

/**
 * One object, cached at `path` (with `<path>.json`, `.resume`, `.partial-*` beside it): the
 * cached copy when its record shows it current (and, pinned, it hashes to the pin), else a
 * download.
 */
export async function fetchFile(
  source: ModelSource,
  path: string,
  expected: string | undefined,
  settings: DownloadSettings,
  options: FetchOptions,
  onBody?: () => void,
): Promise<CachedWeights> {
  const record = await validRecord(path, source.uri);
  let known: SourceStat | undefined;
  if (record) {
    if (expected && record.sha256 === expected) {
      const cached = fromCache(path, record);
      // Hashed in this boot and unchanged since: no second hash (a restart's warm start).
      if (await verifiedMarkerHolds(fileMarker(path), [path], expected)) return cached;
      const verified = verifyFile(source, path, expected, record.size).then(() => markVerified(fileMarker(path), [path], expected));
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
  return downloadToCache(source, path, expected, known, settings, options, onBody);
}

/** Drop a cached file and its record: the next fetch downloads it again. */
export async function evictFile(path: string): Promise<void> {
  await rm(fileMarker(path), { force: true });
  await removeRecord(path);
  await rm(path, { force: true });
}

/** Hash a cached file against its pin; a mismatch removes it, so the next fetch downloads it again. */
async function verifyFile(source: ModelSource, path: string, expected: string, size: number): Promise<void> {
  const [sha256] = await hashFiles([path], size);
  if (sha256 === expected) return;
  await evictFile(path);
  throw new IntegrityError(`the cached copy of ${source.description} has sha256 ${sha256}, expected ${expected}: removed from the cache`);
}

function fromCache(path: string, record: CacheRecord): CachedWeights {
  return { ...emptyFigures('cache'), path, dir: dirname(path), files: [], size: record.size, sha256: record.sha256, graph: 'original' };
}
