import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../lib/core/errors';
import { DownloadAbortedError } from '../../../lib/core/cache/errors';
import { FailureBackoff } from '../../../lib/core/cache/FailureBackoff';
import { WeightsCache, type WeightsCacheOptions } from '../../../lib/core/cache/WeightsCache';
import type { ModelSource, SourceBody, SourceStat } from '../../../lib/core/sources/ModelSource';
import { S3ModelSource } from '../../../lib/core/sources/S3ModelSource';
import type { ProxiedRequest } from '../../support/S3FaultProxy';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { tempDir } from '../../support/testHandler';

const BUCKET = 'models';
const KiB = 1024;
/** Small parts keep the object small and the test fast; the logic is the same at 8 MiB. */
const SETTINGS = { partBytes: 64 * KiB, concurrency: 4, parallelThresholdBytes: 128 * KiB, backoffMs: 1 } as const;

/** 1 MiB + 1,000: a short last part, 1 probe of 128 KiB and 14 parts after it. */
const BIG = randomBytes(1024 * KiB + 1000);
const BIG_KEY = 'big/model.onnx';
const SMALL = randomBytes(100 * KiB);
const SMALL_KEY = 'small/model.onnx';

let s3: LocalS3;

beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  await s3.put(BUCKET, BIG_KEY, BIG);
  await s3.put(BUCKET, SMALL_KEY, SMALL);
});
afterAll(async () => s3?.close());
beforeEach(() => {
  s3.proxy.reset();
  s3.proxy.bytesPerSecond = 0;
});

function cache(options: WeightsCacheOptions = {}): WeightsCache {
  return new WeightsCache({ dir: tempDir('onnxless-cache-'), ...SETTINGS, ...options });
}
const source = (key: string): S3ModelSource => new S3ModelSource(BUCKET, key, s3.client);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The [start, end) a GET asked for, its end clamped to the object as S3 clamps it. */
function rangeOf(request: ProxiedRequest, size: number): [number, number] {
  const m = /^bytes=(\d+)-(\d+)$/.exec(request.range ?? '');
  if (!m) return [0, size];
  return [Number(m[1]), Math.min(Number(m[2]) + 1, size)];
}

/** Asserts the ranges tile [from, to) with no gap and no overlap. */
function expectTiling(ranges: Array<[number, number]>, from: number, to: number): void {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let at = from;
  for (const [s, e] of sorted) {
    expect(s).toBe(at);
    at = e;
  }
  expect(at).toBe(to);
}

describe('downloading below the parallel threshold', () => {
  it('uses exactly one GET, as a plain download would', async () => {
    const weights = await cache().fetch(source(SMALL_KEY));

    expect(s3.proxy.gets(SMALL_KEY)).toHaveLength(1);
    expect(weights).toMatchObject({ origin: 'download', attempts: 1, parts: 1, size: SMALL.length, sha256: sha256(SMALL) });
    expect(readFileSync(weights.path).equals(SMALL)).toBe(true);
  });

  it('fetches an empty object with a plain GET after S3 refuses any range of it', async () => {
    await s3.put(BUCKET, 'empty/model.onnx', new Uint8Array());
    // S3 answers 416 to any range of an empty object; s3rver instead promises one byte it
    // never sends, so the proxy plays S3's part for the ranged GET.
    s3.proxy.inject(
      { type: 'status', status: 416, code: 'InvalidRange' },
      1,
      (m, path, range) => m === 'GET' && path.endsWith('/empty/model.onnx') && range !== undefined,
    );

    const weights = await cache().fetch(source('empty/model.onnx'));

    expect(weights.size).toBe(0);
    expect(weights.sha256).toBe(sha256(new Uint8Array()));
    expect(s3.proxy.gets('empty/model.onnx').map((r) => [r.status, r.range])).toEqual([
      [416, `bytes=0-${128 * KiB - 1}`],
      [200, undefined],
    ]);
  });
});

describe('downloading above the parallel threshold', () => {
  it('covers the object exactly once with ranged GETs: a probe to the threshold, then part-sized ranges', async () => {
    const weights = await cache().fetch(source(BIG_KEY));

    const gets = s3.proxy.gets(BIG_KEY);
    // 1 probe of 128 KiB, then ceil((1 MiB + 1000 - 128 KiB) / 64 KiB) = 15 parts.
    expect(gets).toHaveLength(1 + 15);
    expect(gets[0]?.range).toBe(`bytes=0-${128 * KiB - 1}`);
    expect(gets.every((g) => g.status === 206)).toBe(true);
    const ranges = gets.map((g) => rangeOf(g, BIG.length));
    expectTiling(ranges, 0, BIG.length);
    expect(ranges.slice(1).every(([s, e]) => e - s <= 64 * KiB)).toBe(true);
    expect(gets.reduce((sum, g) => sum + g.bodyBytes, 0)).toBe(BIG.length);
    expect(weights).toMatchObject({ attempts: 16, parts: 16, sha256: sha256(BIG), size: BIG.length });
    expect(readFileSync(weights.path).equals(BIG)).toBe(true);
  });

  it('never has more GETs in flight than the concurrency allows', async () => {
    s3.proxy.bytesPerSecond = 2 * 1024 * 1024;
    const counted = new InFlightCounter(source(BIG_KEY));

    const weights = await cache({ concurrency: 3 }).fetch(counted);

    expect(counted.opened).toBe(16);
    expect(counted.peak).toBe(3);
    expect(weights.sha256).toBe(sha256(BIG));
  });

  it('plans equal parts with no probe when a HEAD already told the size (stale cache record)', async () => {
    const key = 'replaced/model.onnx';
    await s3.put(BUCKET, key, SMALL);
    const c = cache();
    await c.fetch(source(key));
    await s3.put(BUCKET, key, BIG);
    s3.proxy.reset();

    const weights = await c.fetch(source(key));

    expect(s3.proxy.requests.filter((r) => r.method === 'HEAD')).toHaveLength(1);
    const gets = s3.proxy.gets(key);
    expect(gets).toHaveLength(Math.ceil(BIG.length / (64 * KiB)));
    expectTiling(
      gets.map((g) => rangeOf(g, BIG.length)),
      0,
      BIG.length,
    );
    expect(weights.sha256).toBe(sha256(BIG));
  });

  it('retries a failed part alone, resuming it from its last written byte', async () => {
    const [partStart, partEnd] = [128 * KiB + 3 * 64 * KiB, 128 * KiB + 4 * 64 * KiB];
    const faulted = `bytes=${partStart}-${partEnd - 1}`;
    s3.proxy.inject({ type: 'reset', afterBytes: 20_000 }, 1, (m, _p, range) => m === 'GET' && range === faulted);

    const weights = await cache().fetch(source(BIG_KEY));

    const gets = s3.proxy.gets(BIG_KEY);
    expect(gets).toHaveLength(16 + 1);
    // Every range was asked for once, but for one more GET: the rest of the faulted part,
    // from where the bytes this side had consumed ended.
    expect(new Set(gets.map((g) => g.range)).size).toBe(17);
    const retry = gets.filter((g) => g.range?.endsWith(`-${partEnd - 1}`) && g.range !== faulted);
    expect(retry).toHaveLength(1);
    const [retryStart] = rangeOf(retry[0] as ProxiedRequest, BIG.length);
    expect(retryStart).toBeGreaterThan(partStart);
    expect(retryStart).toBeLessThanOrEqual(partStart + 20_000);
    const others = gets.filter((g) => !g.range?.endsWith(`-${partEnd - 1}`));
    expectTiling([...others.map((g) => rangeOf(g, BIG.length)), [partStart, partEnd]], 0, BIG.length);
    expect(weights).toMatchObject({ attempts: 17, sha256: sha256(BIG) });
    expect(readFileSync(weights.path).equals(BIG)).toBe(true);
  });

  it('retries a part that S3 answered with 500, asking for that range again and no other', async () => {
    const faulted = `bytes=${128 * KiB + 64 * KiB}-${128 * KiB + 2 * 64 * KiB - 1}`;
    s3.proxy.inject({ type: 'status', status: 500 }, 1, (m, _p, range) => m === 'GET' && range === faulted);

    const weights = await cache().fetch(source(BIG_KEY));

    const gets = s3.proxy.gets(BIG_KEY);
    expect(gets).toHaveLength(17);
    expect(gets.filter((g) => g.range === faulted).map((g) => g.status)).toEqual([500, 206]);
    expectTiling(
      gets.filter((g) => g.status === 206).map((g) => rangeOf(g, BIG.length)),
      0,
      BIG.length,
    );
    expect(weights.sha256).toBe(sha256(BIG));
  });

  it("retries the first GET on its own when S3 keeps failing it past the SDK's retries", async () => {
    const probe = `bytes=0-${128 * KiB - 1}`;
    s3.proxy.inject({ type: 'status', status: 500 }, 4, (m, _p, range) => m === 'GET' && range === probe);

    const weights = await cache().fetch(source(BIG_KEY));

    const gets = s3.proxy.gets(BIG_KEY);
    expect(gets.filter((g) => g.range === probe).map((g) => g.status)).toEqual([500, 500, 500, 500, 206]);
    expect(gets).toHaveLength(4 + 16);
    expect(weights.sha256).toBe(sha256(BIG));
  });

  it('starts over on the new version when the object is replaced mid-download, never mixing the two', async () => {
    const key = 'changing/model.onnx';
    const before = randomBytes(BIG.length);
    await s3.put(BUCKET, key, before);
    const third = `bytes=${128 * KiB + 2 * 64 * KiB}-${128 * KiB + 3 * 64 * KiB - 1}`;
    // One GET at a time; the third part is held at the proxy while the object is replaced.
    s3.proxy.inject({ type: 'latency', ms: 300 }, 1, (m, _p, range) => m === 'GET' && range === third);
    const replaced = waitFor(() => s3.proxy.gets(key).some((g) => g.range === third)).then(() => s3.put(BUCKET, key, BIG));

    const weights = await cache({ concurrency: 1 }).fetch(source(key));
    await replaced;

    expect(weights.sha256).toBe(sha256(BIG));
    expect(readFileSync(weights.path).equals(BIG)).toBe(true);
    expect(weights.refetchedBytes).toBe(128 * KiB + 2 * 64 * KiB);
    // After the mismatch: a fresh probe and every part of the new version once.
    const gets = s3.proxy.gets(key);
    const after = gets.slice(gets.findIndex((g) => g.range === third) + 1);
    expect(after).toHaveLength(16);
    expectTiling(
      after.map((g) => rangeOf(g, BIG.length)),
      0,
      BIG.length,
    );
  });
});

describe('verification', () => {
  it('refuses bytes whose sha256 differs from the pin: an error, and no cache file or partial left', async () => {
    const c = cache();

    await expect(c.fetch(source(BIG_KEY), 'b'.repeat(64))).rejects.toMatchObject({ cause: expect.any(IntegrityError) });

    expect(filesIn(c.dir)).toEqual([]);
  });

  it('catches a kept partial altered on disk behind its sidecar: the pin refuses it', async () => {
    // No backoff: this test fetches again at once after the pin failure.
    const c = cache({ pinBackoff: new FailureBackoff(0) });
    const controller = new AbortController();
    // Beside the fetch, not awaited: it aborts the fetch mid-download (a timeout still fails the run as an unhandled rejection).
    void abortAfterParts(controller, BIG_KEY, 4);
    await expect(c.fetch(source(BIG_KEY), sha256(BIG), { signal: controller.signal })).rejects.toBeInstanceOf(DownloadAbortedError);
    const kept = `${c.pathFor(source(BIG_KEY).uri)}.resume`;
    const tampered = readFileSync(kept);
    tampered[10] = (tampered[10] as number) ^ 0xff;
    writeFileSync(kept, tampered);
    // A sidecar that vouches for the altered file, as if the change happened unnoticed.
    const sidecar = JSON.parse(readFileSync(`${kept}.json`, 'utf8')) as Record<string, unknown>;
    const now = statSync(kept);
    writeFileSync(`${kept}.json`, JSON.stringify({ ...sidecar, ino: now.ino, mtimeMs: now.mtimeMs, fileSize: now.size }));

    await expect(c.fetch(source(BIG_KEY), sha256(BIG))).rejects.toMatchObject({ cause: expect.any(IntegrityError) });
    expect(filesIn(c.dir)).toEqual([]);

    // Nothing of the bad partial survives: the next load downloads the whole object again.
    s3.proxy.reset();
    const weights = await c.fetch(source(BIG_KEY), sha256(BIG));
    expect(weights.resumedBytes).toBe(0);
    expect(s3.proxy.gets(BIG_KEY).reduce((sum, g) => sum + g.bodyBytes, 0)).toBe(BIG.length);
  });
});

describe('abort and resume', () => {
  it('keeps the bytes of an aborted download, and the next load fetches only the rest', async () => {
    const c = cache();
    const controller = new AbortController();
    const done = abortAfterParts(controller, BIG_KEY, 5);

    const aborted = await c.fetch(source(BIG_KEY), sha256(BIG), { signal: controller.signal }).catch((e: unknown) => e);
    await done;

    expect(aborted).toBeInstanceOf(DownloadAbortedError);
    const kept = (aborted as DownloadAbortedError).keptBytes;
    // The proxy has sent five parts when the abort comes; the cache may not have written the
    // last bytes of every one of them by then (a race seen on CI: 333 bytes short), so only the
    // first part is sure to be kept. What counts is below: the record equals what was kept, and
    // the next load fetches exactly the rest.
    expect(kept).toBeGreaterThanOrEqual(128 * KiB);
    expect(kept).toBeLessThan(BIG.length);
    // Never a model: no cache file and no record, only the partial and its sidecar.
    const path = c.pathFor(source(BIG_KEY).uri);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(`${path}.json`)).toBe(false);
    const sidecar = JSON.parse(readFileSync(`${path}.resume.json`, 'utf8')) as { done: Array<[number, number]>; size: number };
    expect(sidecar.done.reduce((sum, [s, e]) => sum + (e - s), 0)).toBe(kept);
    s3.proxy.reset();

    const weights = await c.fetch(source(BIG_KEY), sha256(BIG));

    expect(weights).toMatchObject({ origin: 'download', resumedBytes: kept, sha256: sha256(BIG) });
    const gets = s3.proxy.gets(BIG_KEY);
    // No byte kept is asked for again: the new ranges tile exactly what was missing.
    const fetched = gets.map((g) => rangeOf(g, BIG.length));
    expectTiling([...fetched, ...sidecar.done], 0, BIG.length);
    expect(gets.reduce((sum, g) => sum + g.bodyBytes, 0)).toBe(BIG.length - kept);
    expect(readFileSync(weights.path).equals(BIG)).toBe(true);
    // The model, its record and its verified marker (hashed as it arrived): no partial, no sidecar left.
    expect(filesIn(join(path, '..')).sort()).toEqual(
      ['model.onnx', 'model.onnx.json', 'model.onnx.verified'].map((f) => `${join(path, '..')}/${f}`),
    );
  });

  it('throws a kept partial away when the object has changed since, and downloads the new version whole', async () => {
    const key = 'resume-changed/model.onnx';
    await s3.put(BUCKET, key, randomBytes(BIG.length));
    const c = cache();
    const controller = new AbortController();
    void abortAfterParts(controller, key, 3); // beside the fetch, as above
    await expect(c.fetch(source(key), undefined, { signal: controller.signal })).rejects.toBeInstanceOf(DownloadAbortedError);
    await s3.put(BUCKET, key, BIG);
    s3.proxy.reset();

    const weights = await c.fetch(source(key));

    expect(weights.sha256).toBe(sha256(BIG));
    expect(weights.resumedBytes).toBeGreaterThan(0);
    expect(weights.refetchedBytes).toBe(weights.resumedBytes);
    expect(readFileSync(weights.path).equals(BIG)).toBe(true);
  });

  it('does not start at all when the signal is already aborted', async () => {
    const c = cache();
    await expect(c.fetch(source(BIG_KEY), undefined, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(DownloadAbortedError);
    expect(s3.proxy.gets(BIG_KEY)).toHaveLength(0);
  });
});

/**
 * Slow every response down, then abort once `parts` GETs have been answered in full: the
 * download is then surely mid-way, whatever the machine's speed.
 */
function abortAfterParts(controller: AbortController, key: string, parts: number): Promise<void> {
  s3.proxy.bytesPerSecond = 1024 * 1024;
  return waitFor(() => s3.proxy.gets(key).filter((g) => g.status === 206 && g.bodyBytes === rangeLength(g)).length >= parts).then(() =>
    controller.abort(new Error('deadline')),
  );
}

/** Wraps a source to count the GETs open at once, from this side of the wire. */
class InFlightCounter implements ModelSource {
  opened = 0;
  peak = 0;
  private open_ = 0;
  constructor(private readonly inner: ModelSource) {}
  get uri(): string {
    return this.inner.uri;
  }
  get description(): string {
    return this.inner.description;
  }
  stat(): Promise<SourceStat> {
    return this.inner.stat();
  }
  async open(range?: { start: number; end: number }): Promise<SourceBody> {
    this.opened += 1;
    this.open_ += 1;
    this.peak = Math.max(this.peak, this.open_);
    try {
      const body = await this.inner.open(range);
      body.stream.once('close', () => (this.open_ -= 1));
      return body;
    } catch (err) {
      this.open_ -= 1;
      throw err;
    }
  }
}

function rangeLength(g: ProxiedRequest): number {
  const [s, e] = rangeOf(g, BIG.length);
  return e - s;
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error('condition never held');
}

function filesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}
