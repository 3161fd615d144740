import { IntegrityError, ModelUnavailableError } from '../errors';
import { BackoffError, DownloadAbortedError } from '../cache/errors';
import { InvalidManifestError } from '../sources/ModelManifest';
import { SourceAccessDeniedError, SourceNotFoundError, type ModelLocation } from '../sources/ModelSource';

/**
 * Why a model's weights could not be fetched, as the 503 its callers get, with when to try
 * again: a stopped download in a second (Retry-After: 1, its bytes kept); any other failure once
 * the cache's backoff for it ends (BackoffError: 1 s doubling to a minute, 10 s doubling to five
 * for bytes that fail their pin). A refusal while that backoff runs is `repeated`: it names the
 * failure it waits out, and nothing was tried.
 */
export function unavailable(name: string, source: ModelLocation, err: unknown): ModelUnavailableError {
  const backoff = err instanceof BackoffError ? err : undefined;
  const failure = backoff ? backoff.cause : err;
  const detail = err instanceof Error ? err.message : String(err);
  const wait = backoff ? { retryAfterSeconds: backoff.retryAfterSeconds, repeated: backoff.repeated } : {};
  if (failure instanceof DownloadAbortedError) {
    return new ModelUnavailableError(
      name,
      `model '${name}': the download of ${source.description} was stopped with ${failure.keptBytes} bytes kept for the next load`,
      { cause: err, retryAfterSeconds: 1 },
    );
  }
  if (failure instanceof SourceNotFoundError || failure instanceof SourceAccessDeniedError) {
    return new ModelUnavailableError(name, `model '${name}' is unavailable: ${detail}`, { cause: err, ...wait });
  }
  if (failure instanceof IntegrityError || failure instanceof InvalidManifestError) {
    return new ModelUnavailableError(name, `model '${name}' failed verification: ${detail}`, { cause: err, ...wait });
  }
  return new ModelUnavailableError(name, `model '${name}' could not be fetched from ${source.description}: ${detail}`, {
    cause: err,
    retryAfterSeconds: 1,
    ...wait,
  });
}
