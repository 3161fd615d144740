import type { Phase, PhaseDurations } from './records';
import { traced, tracedSync } from './tracing';

/**
 * Phase durations of one request. Phases add up when they run more than once (a pipeline
 * that calls the model per frame spends its inference time in many pieces).
 */
export class RequestTiming {
  private readonly started: number;
  private readonly phases: Partial<Record<Phase, number>> = {};

  constructor(private readonly now: () => number = () => performance.now()) {
    this.started = now();
  }

  add(phase: Phase, ms: number): void {
    this.phases[phase] = (this.phases[phase] ?? 0) + ms;
  }

  /** Runs `fn` and adds its duration to `phase`, whether it returns or throws; an X-Ray subsegment where tracing is on. */
  async time<T>(phase: Phase, fn: () => Promise<T> | T): Promise<T> {
    const start = this.now();
    try {
      return await traced(phase, fn);
    } finally {
      this.add(phase, this.now() - start);
    }
  }

  timeSync<T>(phase: Phase, fn: () => T): T {
    const start = this.now();
    try {
      return tracedSync(phase, fn);
    } finally {
      this.add(phase, this.now() - start);
    }
  }

  elapsedMs(): number {
    return this.now() - this.started;
  }

  durations(): PhaseDurations {
    const out: PhaseDurations = { total: round(this.elapsedMs()) };
    for (const [phase, ms] of Object.entries(this.phases) as Array<[Phase, number]>) out[phase] = round(ms);
    return out;
  }
}

/** Microsecond precision is plenty and keeps log lines short. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
