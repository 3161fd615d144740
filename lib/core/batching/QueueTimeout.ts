import type { QueueTimeout } from '../pipeline/Pipeline';
import { RequestTimeoutExpiredError } from './errors';

export type { QueueTimeout };

/** The 408 for a request whose wait is over its timeout; undefined while it may still run. */
export function expiredWait(timeout: QueueTimeout | undefined, now = Date.now()): RequestTimeoutExpiredError | undefined {
  if (timeout === undefined) return undefined;
  const waited = now - timeout.since;
  return waited > timeout.timeoutMs ? new RequestTimeoutExpiredError(timeout.model, waited, timeout.timeoutMs) : undefined;
}
