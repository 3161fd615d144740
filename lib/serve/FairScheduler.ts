/** A unit of work for one slot (an inference thread): started when the scheduler picks it. */
export type Job<T> = () => Promise<T>;

export interface FairSchedulerOptions {
  /** Jobs that may run at once (the inference threads). */
  slots: number;
  /** A job starts: its flow and how long it waited for a slot, in ms. */
  onStart?: (flow: string, waitedMs: number) => void;
  now?: () => number;
}

interface Queued {
  start: Job<unknown>;
  enqueuedAt: number;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Flow {
  readonly name: string;
  readonly queue: Queued[];
  running: number;
  /** Slot time this flow has been charged, in ms: its place in line (a virtual finish time). */
  charged: number;
  /** Moving average of a job's measured slot time; charged in advance when a job starts. */
  averageMs: number;
  /** When it was last served (a counter): ties go to the flow served longest ago. */
  servedAt: number;
}

/**
 * Shares a few slots (the inference threads) between flows (the models) by their measured slot
 * time: start-time fair queueing, the weighted form of deficit round robin. Each flow keeps its
 * own FIFO queue; when a slot frees, the flow charged the least slot time so far starts its
 * oldest job, and is charged that job's expected time (its moving average, corrected by the
 * measured time when it ends). A flow that had nothing to do joins at the current virtual time,
 * so idling banks no credit.
 *
 * What that buys: a light model's job starts at the next free slot however many heavy jobs other
 * models have queued (it waits for at most one heavy run to end), and models that all have work
 * share the slots' time equally: a model whose runs take 100x longer gets 1/100 of the starts,
 * not 100x the time. A single FIFO in front of the threads (what piscina has) made a light
 * request wait for every heavy run queued before it.
 */
export class FairScheduler {
  readonly slots: number;
  private readonly flows = new Map<string, Flow>();
  private running = 0;
  private waiting = 0;
  /** The charge of the last flow served: where a flow that becomes busy joins. */
  private virtualTime = 0;
  private served = 0;
  private readonly now: () => number;

  constructor(private readonly options: FairSchedulerOptions) {
    if (!Number.isSafeInteger(options.slots) || options.slots < 1) {
      throw new RangeError(`slots must be a whole number >= 1, got ${options.slots}`);
    }
    this.slots = options.slots;
    this.now = options.now ?? (() => performance.now());
  }

  /** Jobs waiting for a slot, over every flow. */
  get queued(): number {
    return this.waiting;
  }

  /** Jobs running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Runs `start` on a slot when the flow's turn comes; resolves or rejects as it does. */
  submit<T>(flow: string, start: Job<T>): Promise<T> {
    const f = this.flow(flow);
    if (f.queue.length === 0 && f.running === 0) f.charged = Math.max(f.charged, this.virtualTime);
    return new Promise<T>((resolve, reject) => {
      f.queue.push({ start, enqueuedAt: this.now(), resolve: resolve as (value: unknown) => void, reject });
      this.waiting++;
      this.dispatch();
    });
  }

  private flow(name: string): Flow {
    let f = this.flows.get(name);
    if (!f) {
      f = { name, queue: [], running: 0, charged: this.virtualTime, averageMs: 0, servedAt: 0 };
      this.flows.set(name, f);
    }
    return f;
  }

  private dispatch(): void {
    while (this.running < this.slots) {
      const f = this.next();
      if (!f) return;
      this.startJob(f, f.queue.shift() as Queued);
    }
  }

  /** The busy flow charged least; on a tie, the one served longest ago. */
  private next(): Flow | undefined {
    let best: Flow | undefined;
    for (const f of this.flows.values()) {
      if (f.queue.length === 0) continue;
      if (!best || f.charged < best.charged || (f.charged === best.charged && f.servedAt < best.servedAt)) best = f;
    }
    return best;
  }

  private startJob(f: Flow, job: Queued): void {
    this.waiting--;
    this.running++;
    f.running++;
    f.servedAt = ++this.served;
    this.virtualTime = f.charged;
    const expected = f.averageMs;
    f.charged += expected;
    const started = this.now();
    this.options.onStart?.(f.name, started - job.enqueuedAt);
    let result: Promise<unknown>;
    try {
      result = job.start();
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(job.resolve, job.reject).finally(() => {
      const took = Math.max(0, this.now() - started);
      f.charged += took - expected;
      f.averageMs = f.averageMs === 0 ? took : 0.8 * f.averageMs + 0.2 * took;
      f.running--;
      this.running--;
      this.dispatch();
    });
  }
}
