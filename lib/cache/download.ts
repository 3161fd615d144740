import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { IntegrityError } from '../errors';
import type { ModelSource } from '../sources/ModelSource';

export interface DownloadResult {
  size: number;
  version: string;
  sha256: string;
}

/** Progress of one download, kept across attempts so a retry resumes instead of starting over. */
export interface PartialDownload {
  path: string;
  /** Bytes already written to `path` and fed to `hash`, always equal. */
  written: number;
  hash: Hash;
  version?: string;
  size?: number;
  /** Bytes received more than once over all attempts (resumes re-fetch nothing, restarts do). */
  refetched: number;
  attempts: number;
}

export function newPartial(path: string): PartialDownload {
  return { path, written: 0, hash: createHash('sha256'), refetched: 0, attempts: 0 };
}

/**
 * One attempt: stream the rest of the object into the partial file. Writing and hashing
 * happen chunk by chunk in one loop, so after a failure `written` bytes are exactly the
 * hashed ones and the next attempt resumes with a ranged GET from there.
 */
export async function downloadAttempt(source: ModelSource, partial: PartialDownload): Promise<DownloadResult> {
  partial.attempts += 1;
  const resuming = partial.written > 0 && partial.size !== undefined;
  const body = resuming
    ? await source.open({ start: partial.written, end: (partial.size as number) - 1 })
    : await source.open();
  if (resuming && body.version !== partial.version) {
    // The object changed between attempts: what we have belongs to the old version.
    body.stream.destroy();
    partial.refetched += partial.written;
    partial.written = 0;
    partial.hash = createHash('sha256');
    partial.size = undefined;
    return downloadAttempt(source, partial);
  }
  if (!resuming) {
    partial.version = body.version;
    partial.size = body.size;
    partial.refetched += partial.written;
    partial.written = 0;
    partial.hash = createHash('sha256');
  }
  const file = await open(partial.path, partial.written === 0 ? 'w' : 'r+');
  try {
    let position = partial.written;
    for await (const chunk of body.stream as AsyncIterable<Buffer>) {
      if (position + chunk.length > (partial.size as number)) {
        throw new IntegrityError(`${source.description}: received more bytes than its size ${partial.size}`);
      }
      await file.write(chunk, 0, chunk.length, position);
      partial.hash.update(chunk);
      position += chunk.length;
      partial.written = position;
    }
    await file.sync();
  } finally {
    await file.close();
  }
  if (partial.written !== partial.size) {
    throw new TruncatedBodyError(
      `${source.description}: body ended after ${partial.written} of ${partial.size} bytes`,
    );
  }
  return { size: partial.written, version: partial.version ?? '', sha256: partial.hash.copy().digest('hex') };
}

/** The body ended early (connection cut, truncated response): retryable, and resumable. */
export class TruncatedBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TruncatedBodyError';
  }
}
