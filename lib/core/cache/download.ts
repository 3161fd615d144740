import type { FileHandle } from 'node:fs/promises';
import { IntegrityError } from '../errors';
import { SourceAccessDeniedError, SourceNotFoundError, type ModelSource, type SourceBody } from '../sources/ModelSource';
import { retrying } from '../sources/retrying';
import { s3StatusOf } from '../sources/S3Reader';
import { ByteRangeSet, splitRanges, type ByteRange } from './byteRanges';
import { DownloadAbortedError, ObjectChangedError, RangeNotHonouredError, TruncatedBodyError } from './errors';
import { PrefixHasher } from './PrefixHasher';

export interface DownloadSettings {
  /** Bytes per ranged GET above the threshold. */
  partBytes: number;
  /** Ranged GETs in flight at once. */
  concurrency: number;
  /** Objects up to this size are fetched with one GET. */
  thresholdBytes: number;
  /** Attempts per part for retryable failures (cuts, 5xx after the SDK's own retries). */
  attempts: number;
  /** Base of the exponential backoff between a part's attempts, in ms. */
  backoffMs: number;
}

export interface DownloadResult {
  size: number;
  version: string;
  sha256: string;
  /** GET requests made. */
  requests: number;
  /** Ranges fetched (one per GET that completed a part). */
  parts: number;
  /** Bytes that were already on disk from a kept partial. */
  resumedBytes: number;
  /** Bytes written and then thrown away because the object changed under the download. */
  refetchedBytes: number;
  diagnostics: DownloadDiagnostics;
}

/** Where the time after the last byte went, for benchmarks and logs. */
export interface DownloadDiagnostics {
  /** Bytes hashed by reading them back from the file (written ahead of the hashed prefix). */
  readBackBytes: number;
  /** Waiting for the hash after every byte was written. */
  hashTailMs: number;
  /** Flushing the file to disk before it is renamed into place. */
  syncMs: number;
}

/** Where a download starts from: nothing, a HEAD's answer, or a kept partial. */
export interface DownloadStart {
  size?: number;
  version?: string;
  done?: readonly ByteRange[];
}

/** Bytes gathered from the socket before one positional write: few syscalls, little memory. */
const WRITE_BATCH_BYTES = 512 * 1024;

interface Part {
  /** Next byte to fetch; advances as bytes are written, so a retry resumes here. */
  next: number;
  /** Exclusive end. */
  end: number;
}

/**
 * One download of an object into `file`, in byte ranges.
 *
 * - Up to `thresholdBytes`: one GET, streamed to the file, as a plain download would.
 * - Above: the first GET (ranged to the threshold) tells size and version from its
 *   Content-Range and ETag; the rest is cut into `partBytes` ranges fetched by
 *   `concurrency` GETs at once, each written at its offset.
 * - Every response's ETag must equal the first one before any of its bytes is written: a
 *   replaced object never mixes versions (the download starts over on the new one).
 * - Each part retries on its own, resuming from its last written byte.
 * - sha256 is computed alongside, in order (see PrefixHasher), never over a buffer of it all.
 *
 * `done` always holds exactly the bytes on disk, so an aborted or failed download can be
 * kept and resumed by the next one.
 */
export class RangedDownload {
  size?: number;
  version?: string;
  readonly done: ByteRangeSet;
  private hasher: PrefixHasher;
  private requests = 0;
  private parts = 0;
  private refetched = 0;
  private readonly resumedBytes: number;

  constructor(
    private readonly source: ModelSource,
    private readonly file: FileHandle,
    private readonly settings: DownloadSettings,
    start: DownloadStart = {},
    private readonly signal?: AbortSignal,
    /** Called once, when the first response body begins to arrive (the loader loads onnxruntime then). */
    private onBody?: () => void,
  ) {
    this.size = start.size;
    this.version = start.version;
    this.done = new ByteRangeSet(start.size === undefined ? [] : (start.done ?? []));
    this.resumedBytes = this.done.bytes;
    this.hasher = new PrefixHasher(file, this.done.toJSON());
  }

  async run(): Promise<DownloadResult> {
    for (let restarts = 0; ; restarts++) {
      try {
        return await this.attempt();
      } catch (err) {
        if (!(err instanceof ObjectChangedError) || restarts + 1 >= this.settings.attempts) throw err;
        // Everything on disk belongs to the old version: start over, learning the new one.
        this.refetched += this.done.bytes;
        this.done.clear();
        this.hasher = new PrefixHasher(this.file);
        this.size = undefined;
        this.version = undefined;
      }
    }
  }

  private async attempt(): Promise<DownloadResult> {
    throwIfAborted(this.signal, this.done.bytes);
    const stop = new AbortController();
    const onAbort = (): void => stop.abort(this.signal?.reason);
    this.signal?.addEventListener('abort', onAbort, { once: true });
    let failure: unknown;
    const fail = (err: unknown): void => {
      failure ??= err;
      stop.abort(err);
    };
    try {
      const queue: Part[] = [];
      const workers: Array<Promise<void>> = [];
      const drain = async (): Promise<void> => {
        for (let part = queue.shift(); part && !stop.signal.aborted; part = queue.shift()) {
          await this.fetchPart(part, stop.signal);
        }
      };
      let first: Promise<void> | undefined;
      if (this.size === undefined) {
        // Size unknown: the first GET is ranged to the threshold, and its headers plan the rest.
        const probe = await this.probe(stop.signal);
        const part = { next: 0, end: Math.min(this.settings.thresholdBytes, probe.size) };
        queue.push(...this.plan([[part.end, probe.size]]));
        first = this.fetchPart(part, stop.signal, probe);
      } else {
        queue.push(...this.plan(this.done.missing(this.size)));
      }
      const lanes = Math.max(0, Math.min(this.settings.concurrency - (first ? 1 : 0), queue.length));
      if (first) workers.push(first.then(drain).catch(fail));
      for (let i = 0; i < lanes; i++) workers.push(drain().catch(fail));
      await Promise.all(workers);
    } catch (err) {
      fail(err);
    } finally {
      this.signal?.removeEventListener('abort', onAbort);
    }
    if (this.signal?.aborted) {
      throw new DownloadAbortedError(
        `download of ${this.source.description} aborted with ${this.done.bytes} of ${this.size ?? '?'} bytes kept`,
        this.done.bytes,
        { cause: this.signal.reason },
      );
    }
    if (failure !== undefined) throw failure;
    return this.finish();
  }

  private async finish(): Promise<DownloadResult> {
    const size = this.size as number;
    if (this.done.missing(size).length > 0) {
      throw new TruncatedBodyError(`${this.source.description}: ${size - this.done.bytes} bytes never arrived`);
    }
    const written = performance.now();
    const sha256 = await this.hasher.digest(size);
    const hashed = performance.now();
    // A restarted download may have written past the new, smaller size.
    await this.file.truncate(size);
    await this.file.datasync();
    return {
      size,
      version: this.version ?? '',
      sha256,
      requests: this.requests,
      parts: this.parts,
      resumedBytes: this.resumedBytes,
      refetchedBytes: this.refetched,
      diagnostics: {
        readBackBytes: this.hasher.readBackBytes,
        hashTailMs: hashed - written,
        syncMs: performance.now() - hashed,
      },
    };
  }

  /** Ranges to fetch: whole gaps while the object is small, `partBytes` pieces above. */
  private plan(ranges: readonly ByteRange[]): Part[] {
    const pieces = (this.size as number) <= this.settings.thresholdBytes ? ranges : splitRanges(ranges, this.settings.partBytes);
    return pieces.filter(([s, e]) => e > s).map(([s, e]) => ({ next: s, end: e }));
  }

  /** The first GET when nothing is known yet: learn size and version from it. */
  private async probe(signal: AbortSignal): Promise<SourceBody> {
    const body = await this.retrying(signal, async () => {
      try {
        return await this.open({ start: 0, end: this.settings.thresholdBytes - 1 }, signal);
      } catch (err) {
        // S3 refuses any range of an empty object (416): ask for the whole of it instead.
        if (s3StatusOf(err) !== 416) throw err;
        return this.open(undefined, signal);
      }
    });
    this.size = body.size;
    this.version = body.version;
    return body;
  }

  private async fetchPart(part: Part, signal: AbortSignal, opened?: SourceBody): Promise<void> {
    await this.retrying(signal, async () => {
      if (part.next >= part.end) return;
      const body = opened ?? (await this.open({ start: part.next, end: part.end - 1 }, signal));
      opened = undefined;
      this.check(body, part);
      await this.consume(body, part, signal);
    });
    this.parts += 1;
  }

  /** Run `step` until it succeeds, backing off between attempts; fatal errors and aborts end it. */
  private retrying<T>(signal: AbortSignal, step: () => Promise<T>): Promise<T> {
    return retrying(step, {
      attempts: this.settings.attempts,
      // Equal jitter: half of the doubling wait, plus up to the other half at random.
      delayMs: (attempt) => this.settings.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2),
      retryable: isRetryable,
      signal,
    });
  }

  private check(body: SourceBody, part: Part): void {
    if (body.version !== this.version) {
      body.stream.destroy();
      throw new ObjectChangedError(
        `${this.source.description} changed during the download (ETag ${this.version} became ${body.version})`,
        body.version,
      );
    }
    if (body.size !== this.size || body.length !== part.end - part.next) {
      body.stream.destroy();
      throw new RangeNotHonouredError(
        `${this.source.description}: asked for bytes ${part.next}-${part.end - 1} of ${this.size}, ` +
          `got ${body.length} bytes of an object of ${body.size}`,
      );
    }
  }

  /**
   * Stream one response to its offset; on any failure, keep what arrived before it. One
   * batch is written while the next one gathers, so the socket keeps flowing during writes.
   */
  private async consume(body: SourceBody, part: Part, signal: AbortSignal): Promise<void> {
    const onAbort = (): void => void body.stream.destroy(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    let batch: Buffer[] = [];
    let batchBytes = 0;
    /** End of the bytes handed to writes so far (part.next trails it until they land). */
    let queued = part.next;
    let writing: Promise<void> = Promise.resolve();
    const startWrite = (): void => {
      if (batchBytes === 0) return;
      const at = queued;
      const chunks = batch;
      const length = batchBytes;
      batch = [];
      batchBytes = 0;
      queued += length;
      writing = writing.then(async () => {
        await writeAll(this.file, chunks, at, length);
        this.hasher.written(at, chunks, length);
        this.done.add(at, at + length);
        part.next = at + length;
      });
      // Awaited later; until then a failed write must not count as an unhandled rejection.
      writing.catch(() => undefined);
    };
    try {
      for await (const chunk of body.stream as AsyncIterable<Buffer>) {
        if (queued + batchBytes + chunk.length > part.end) {
          throw new IntegrityError(`${this.source.description}: received more bytes than the range ${part.end - 1} asked for`);
        }
        batch.push(chunk);
        batchBytes += chunk.length;
        if (batchBytes >= WRITE_BATCH_BYTES) {
          await writing;
          startWrite();
        }
      }
    } catch (err) {
      startWrite();
      await writing;
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    startWrite();
    await writing;
    if (part.next !== part.end) {
      throw new TruncatedBodyError(`${this.source.description}: body ended at byte ${part.next}, expected ${part.end} of ${this.size}`);
    }
  }

  /** Open a GET; an abort stops waiting for its headers (a late response is discarded). */
  private open(range: { start: number; end: number } | undefined, signal: AbortSignal): Promise<SourceBody> {
    this.requests += 1;
    // The signal also reaches the source, which cancels its request (S3: the SDK's abortSignal).
    const pending = this.source.open(range, { signal });
    return new Promise<SourceBody>((resolve, reject) => {
      const onAbort = (): void => reject(abortError(signal));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (body) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) body.stream.destroy();
          else {
            resolve(body);
            const onBody = this.onBody;
            this.onBody = undefined;
            onBody?.();
          }
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      );
    });
  }
}

function isRetryable(err: unknown): boolean {
  return !(
    err instanceof SourceNotFoundError ||
    err instanceof SourceAccessDeniedError ||
    err instanceof IntegrityError ||
    err instanceof ObjectChangedError ||
    err instanceof RangeNotHonouredError
  );
}

async function writeAll(file: FileHandle, chunks: Buffer[], position: number, length: number): Promise<void> {
  const { bytesWritten } = await file.writev(chunks, position);
  if (bytesWritten === length) return;
  // Short writes are rare on regular files; finish byte-exactly when one happens.
  const rest = Buffer.concat(chunks).subarray(bytesWritten);
  for (let off = 0; off < rest.length;) {
    const { bytesWritten: n } = await file.write(rest, off, rest.length - off, position + bytesWritten + off);
    off += n;
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted', { cause: signal.reason });
}

function throwIfAborted(signal: AbortSignal | undefined, kept: number): void {
  if (signal?.aborted) throw new DownloadAbortedError('download aborted before it started', kept, { cause: signal.reason });
}
