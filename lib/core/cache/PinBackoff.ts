/**
 * Models whose bytes failed their pin, and when to try them again. Without it a pinned model
 * whose object is wrong (a bad push, a pin edited by hand) would be downloaded in full on every
 * request: a bill and a denial of service in one. The first retry waits `baseMs`, each further
 * failure doubles the wait up to `maxMs`.
 */
export class PinBackoff {
  private readonly failures = new Map<string, { count: number; until: number; at: number; message: string }>();

  constructor(
    private readonly baseMs = 10_000,
    private readonly maxMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Record a failure of `key`; returns the seconds until the next attempt is allowed. */
  failed(key: string, message: string): number {
    const count = (this.failures.get(key)?.count ?? 0) + 1;
    const waitMs = Math.min(this.maxMs, this.baseMs * 2 ** (count - 1));
    const at = this.now();
    this.failures.set(key, { count, until: at + waitMs, at, message });
    return Math.ceil(waitMs / 1000);
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** The failure `key` is still waiting out, with the seconds left; undefined once it may be tried. */
  blocked(key: string): { secondsLeft: number; secondsAgo: number; message: string } | undefined {
    const failure = this.failures.get(key);
    if (!failure) return undefined;
    const now = this.now();
    if (now >= failure.until) return undefined;
    return {
      secondsLeft: Math.ceil((failure.until - now) / 1000),
      secondsAgo: Math.round((now - failure.at) / 1000),
      message: failure.message,
    };
  }
}
