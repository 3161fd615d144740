import { FailureBackoff, messageOf } from '../cache/FailureBackoff';
import { ModelUnavailableError } from '../errors';
import type { ModelLocation } from '../sources/ModelSource';

/** The key of a loader's own backoff: it has one model. */
const SESSION = 'session';

/**
 * A loader's negative cache for sessions onnxruntime could not create: after a failure the model
 * is not tried again until the backoff ends (1 s doubling to 1 min by default; creating a session
 * can take seconds of CPU), and every load asked for meanwhile is a `repeated` 503 naming the
 * failure, with Retry-After. Shared by the Lambda handler's loader (ModelLoader) and serve's,
 * whose sessions are created in its worker threads (PooledModelLoader).
 */
export class SessionBackoff {
  constructor(
    private readonly name: string,
    private readonly source: ModelLocation,
    private readonly backoff: FailureBackoff = new FailureBackoff(1_000, 60_000),
  ) {}

  /** The 503 for a load asked for while the last failure's backoff runs; undefined once it may be tried. */
  refusal(): ModelUnavailableError | undefined {
    const failed = this.backoff.blocked(SESSION);
    if (!failed) return undefined;
    const { name, source } = this;
    return new ModelUnavailableError(
      name,
      `model '${name}': onnxruntime could not load ${source.description} ${failed.secondsAgo} s ago (${failed.message}); it is not tried again for another ${failed.secondsLeft} s`,
      { cause: failed.error, retryAfterSeconds: failed.secondsLeft, repeated: true },
    );
  }

  /** Records a failed creation; returns the 503 that says so and when the next try is. */
  failed(err: unknown, message = messageOf(err)): ModelUnavailableError {
    const seconds = this.backoff.failed(SESSION, err);
    return new ModelUnavailableError(
      this.name,
      `model '${this.name}': onnxruntime could not load ${this.source.description}: ${message}; it is not tried again for ${seconds} s`,
      { cause: err, retryAfterSeconds: seconds },
    );
  }

  succeeded(): void {
    this.backoff.succeeded(SESSION);
  }
}
