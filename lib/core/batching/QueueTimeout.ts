import { RequestTimeoutExpiredError } from './errors';

/**
 * A request's own bound on its wait (Triton's `timeout` parameter): from when it arrived
 * (`since`, epoch ms: Date.now(), the same clock on every thread) to when its run starts. Plain
 * data, so it crosses from a processing thread to the model's queue with the run.
 */
export interface QueueTimeout {
  model: string;
  since: number;
  timeoutMs: number;
}

/** The 408 for a request whose wait is over its timeout; undefined while it may still run. */
export function expiredWait(timeout: QueueTimeout | undefined, now = Date.now()): RequestTimeoutExpiredError | undefined {
  if (timeout === undefined) return undefined;
  const waited = now - timeout.since;
  return waited > timeout.timeoutMs ? new RequestTimeoutExpiredError(timeout.model, waited, timeout.timeoutMs) : undefined;
}
