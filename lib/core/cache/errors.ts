import { NamedError } from '../errors';
/** The body ended early (connection cut, truncated response): retryable, and resumable. */
export class TruncatedBodyError extends NamedError {}

/**
 * A response belongs to another version of the object than the bytes already on disk (its
 * ETag differs): the object was replaced mid-download. Nothing of it was written; the
 * download starts over on the new version.
 */
export class ObjectChangedError extends NamedError {
  constructor(
    message: string,
    readonly version: string,
  ) {
    super(message);
  }
}

/**
 * The caller's AbortSignal fired. The bytes already written are kept beside the cache entry
 * with a record of their ranges and version, so the next load resumes from them.
 */
export class DownloadAbortedError extends NamedError {
  constructor(
    message: string,
    /** Bytes of the object kept on disk for the next attempt. */
    readonly keptBytes: number,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** The store answered a ranged GET with other bytes than asked (no Range support, wrong length). */
export class RangeNotHonouredError extends NamedError {}

/**
 * A fetch that failed, and the backoff it starts (FailureBackoff): the 503 says when to try again
 * (Retry-After) instead of a download on every request. `repeated`: a refusal while that backoff
 * runs, nothing fetched; its `cause` is the failure being waited out, so callers name it alike.
 */
export class BackoffError extends NamedError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    readonly repeated: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}
