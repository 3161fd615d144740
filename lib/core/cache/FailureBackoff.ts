/**
 * Keys whose last attempt failed, and when to try them again: negative caching with an
 * exponential backoff. Without it a model that cannot load (a missing object, a denied read,
 * bytes that fail their pin, a graph onnxruntime refuses) would be fetched or tried again on
 * every request: 100 readiness checks were 100 S3 GETs and 100 ERROR lines, a bill and a denial
 * of service in one. The first retry waits `baseMs`, each further failure doubles the wait up
 * to `maxMs`; a success forgets the key.
 */
export class FailureBackoff {
  private readonly failures = new Map<string, { count: number; until: number; at: number; error: unknown }>();

  constructor(
    private readonly baseMs = 10_000,
    private readonly maxMs = 5 * 60_000,
    // Read on every call (not captured once), so a test's fake clock moves it.
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Record a failure of `key`; returns the seconds until the next attempt is allowed. */
  failed(key: string, error: unknown): number {
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const waitMs = Math.min(this.maxMs, this.baseMs * 2 ** (count - 1));
    const at = this.now();
    this.failures.set(key, { count, until: at + waitMs, at, error });
    return Math.ceil(waitMs / 1000);
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** The failure `key` is still waiting out, with the seconds left; undefined once it may be tried. */
  blocked(key: string): { secondsLeft: number; secondsAgo: number; error: unknown; message: string } | undefined {
    const failure = this.failures.get(key);
    if (!failure) return undefined;
    const now = this.now();
    if (now >= failure.until) return undefined;
    return {
      secondsLeft: Math.ceil((failure.until - now) / 1000),
      secondsAgo: Math.round((now - failure.at) / 1000),
      error: failure.error,
      message: messageOf(failure.error),
    };
  }
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
