import type { Readable } from 'node:stream';

/** What the store says about the object now: enough to tell whether a cached copy is current. */
export interface SourceStat {
  size: number;
  /** Opaque version token (S3 ETag, or size+mtime for files). */
  version: string;
}

export interface SourceBody {
  stream: Readable;
  /** Bytes the store promises for this body (Content-Length). */
  length: number;
  /** Total object size (differs from length for ranged reads). */
  size: number;
  version: string;
}

/** Where a model's weights live: an S3 object or a local file. */
export interface ModelSource {
  readonly uri: string;
  /** A short, safe description for error messages: never credentials. */
  readonly description: string;
  stat(): Promise<SourceStat>;
  /** Stream the object, or the inclusive byte range [start, end] of it; `signal` cancels the request. */
  open(range?: { start: number; end: number }, options?: { signal?: AbortSignal }): Promise<SourceBody>;
}

/** The object does not exist or may not be read: a 503 for the model, not retried. */
export class SourceNotFoundError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'SourceNotFoundError';
  }
}

export class SourceAccessDeniedError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'SourceAccessDeniedError';
  }
}
