import { IntegrityError, ModelUnavailableError } from '../errors';
import { DownloadAbortedError, PinBackoffError } from '../cache/errors';
import { InvalidManifestError } from '../sources/ModelManifest';
import { SourceAccessDeniedError, SourceNotFoundError, type ModelLocation } from '../sources/ModelSource';

/**
 * Why a model's weights could not be fetched, as the 503 its callers get, with when to try
 * again: a stopped download or an outage in a second (Retry-After: 1); bytes that failed their
 * pin once the pin's backoff ends (PinBackoff); a missing or forbidden object, or a failed
 * verification with no pin to back off on, with no Retry-After at all.
 */
export function unavailable(name: string, source: ModelLocation, err: unknown): ModelUnavailableError {
  if (err instanceof DownloadAbortedError) {
    return new ModelUnavailableError(
      name,
      `model '${name}': the download of ${source.description} was stopped with ${err.keptBytes} bytes kept for the next load`,
      { cause: err, retryAfterSeconds: 1 },
    );
  }
  if (err instanceof SourceNotFoundError || err instanceof SourceAccessDeniedError) {
    return new ModelUnavailableError(name, `model '${name}' is unavailable: ${err.message}`, { cause: err });
  }
  if (err instanceof IntegrityError || err instanceof InvalidManifestError) {
    return new ModelUnavailableError(name, `model '${name}' failed verification: ${err.message}`, {
      cause: err,
      ...(err instanceof PinBackoffError ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ModelUnavailableError(name, `model '${name}' could not be fetched from ${source.description}: ${message}`, {
    cause: err,
    retryAfterSeconds: 1,
  });
}
