import { setTimeout as sleep } from 'node:timers/promises';

/** How a failed step is tried again. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Milliseconds to wait after failed attempt `attempt` (from 1), jitter included. */
  delayMs: (attempt: number) => number;
  /** Whether a failure is worth another attempt (a 404 or an integrity failure is not). */
  retryable: (err: unknown) => boolean;
  /** Aborted, it ends the retries: a wait under way fails at once (AbortError). */
  signal?: AbortSignal;
}

/**
 * Runs `step` until it succeeds, waiting between attempts; the failure of the last attempt, one
 * that is not retryable, or an abort ends it with that failure. A reader's request (SignedS3Reader)
 * and a download's part (lib/core/cache/download.ts) retry this way, each with its own backoff.
 */
export async function retrying<T>(step: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (policy.signal?.aborted || attempt >= policy.attempts || !policy.retryable(err)) throw err;
      await sleep(policy.delayMs(attempt), undefined, { signal: policy.signal });
    }
  }
}
