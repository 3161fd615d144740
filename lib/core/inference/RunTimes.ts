/**
 * Recent run times of one model, to tell whether the next run fits in the time left. Keeps
 * the last `capacity` durations; the estimate is their 90th percentile (nearest rank), which
 * with few samples is their maximum: cautious until there is evidence.
 */
export class RunTimes {
  private readonly samples: number[] = [];
  private next = 0;

  constructor(private readonly capacity = 32) {}

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    if (this.samples.length < this.capacity) this.samples.push(ms);
    else this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
  }

  get count(): number {
    return this.samples.length;
  }

  /** p90 of recent runs in ms, or undefined before the first run. */
  estimateMs(): number | undefined {
    if (this.samples.length === 0) return undefined;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)];
  }
}
