import { Presets, SingleBar } from 'cli-progress';
import type { BatchCounts } from './runLocalBatch';

/**
 * One progress bar for a batch job, local or on AWS: items succeeded / failed / skipped / pending,
 * rate and ETA (cli-progress computes both from the bar's value over time). Off where stderr is not
 * a terminal (CI logs, tests): the summary at the end says it all.
 */
export class BatchProgress {
  private bar?: SingleBar;

  constructor(enabled: boolean = process.stderr.isTTY === true) {
    if (enabled) {
      this.bar = new SingleBar(
        {
          format:
            'batch [{bar}] {value}/{total} items | ok {succeeded} failed {failed} skipped {skipped} pending {pending} | {rate}/s | ETA {eta_formatted}',
          etaBuffer: 50,
        },
        Presets.shades_classic,
      );
    }
  }

  update(counts: BatchCounts): void {
    if (!this.bar) return;
    const done = counts.succeeded + counts.failed + counts.skipped;
    const payload = { ...counts, pending: counts.total - done, rate: '' };
    if (this.bar.getTotal() !== counts.total || !this.started) {
      if (this.started) this.bar.setTotal(counts.total);
      else this.bar.start(counts.total, done, payload);
      this.started = true;
      this.since = performance.now();
    }
    const seconds = (performance.now() - this.since) / 1000;
    this.bar.update(done, { ...payload, rate: seconds > 0 ? (done / seconds).toFixed(1) : '0.0' });
  }

  private started = false;
  private since = 0;

  stop(): void {
    this.bar?.stop();
  }
}
