import { batchKey, batchRows, type TensorMap } from './BatchTensor';
import { concatFeeds, splitOutputs, UnsplittableOutputError } from './concatSplit';
import { BatcherClosedError, QueueFullError, RequestTimeoutExpiredError } from './errors';
import { expiredWait, type QueueTimeout } from './QueueTimeout';

/**
 * Runs one (possibly batched) call of the model: feeds in, the fetched outputs back. `expired`,
 * asked by a runner that makes the call wait again (serve's scheduler, for a thread), gives the
 * 408 once every request in the call is past its own timeout: the call is then refused, unrun.
 */
export type RunBatch = (
  feeds: TensorMap,
  fetches: readonly string[] | undefined,
  expired?: () => RequestTimeoutExpiredError | undefined,
) => Promise<TensorMap>;

export interface BatcherOptions {
  /** Model name, for errors and metrics. */
  model: string;
  /**
   * Most rows (sum of the requests' first dimensions) in one run. 1 turns batching off: every
   * request runs alone, still through the same bounded queue. A request bigger than this runs alone.
   */
  maxBatchSize: number;
  /** How long the oldest waiting request may wait for others to join it, in ms (Triton's max_queue_delay). */
  maxQueueDelayMs: number;
  /** Requests that may wait (not counting those running); one more is refused with 429. */
  maxQueueSize: number;
  /** Runs in flight at once for this model: the worker threads it may occupy. */
  maxInFlight: number;
}

export interface BatchReport {
  model: string;
  /** Requests in the run. */
  requests: number;
  /** Rows in the run (the batch dimension). */
  rows: number;
  /** Per request: ms from submit to dispatch. */
  queueMs: number[];
}

export interface BatcherEvents {
  /** A run starts. */
  onDispatch?: (report: BatchReport) => void;
  /** Once per batcher: the model's outputs are not batched along dim 0, batching is now off. */
  onBatchingDisabled?: (model: string, reason: string) => void;
}

export const BATCHER_DEFAULTS = Object.freeze({
  maxBatchSize: 1,
  maxQueueDelayMs: 0,
  maxQueueSize: 128,
  maxInFlight: 1,
});

interface Pending {
  feeds: TensorMap;
  fetches: readonly string[] | undefined;
  /** Undefined: not batchable (no shared first dimension), runs alone. */
  key?: string;
  rows: number;
  enqueuedAt: number;
  /** The request's own bound on its wait: past it, it is refused (408) instead of run. */
  timeout?: QueueTimeout;
  /** A unit of work of its own (submitAlone): run instead of the batch function, never batched. */
  work?: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Triton-style dynamic batching for one model. Requests wait in a bounded FIFO queue; a run
 * starts when a worker slot is free and either the batch is full or the oldest request has
 * waited `maxQueueDelayMs`. A run takes the oldest request and every later one with the same
 * batch key, up to `maxBatchSize` rows, stacks their inputs along the first dimension, and
 * splits each output back by rows, so each caller gets what it would have got alone.
 * While every slot is busy requests keep queueing, so batches grow with load.
 */
export class DynamicBatcher {
  private readonly options: BatcherOptions;
  private readonly queue: Pending[] = [];
  private running = 0;
  private timer?: NodeJS.Timeout;
  private timerDue = 0;
  private closed = false;
  private batchingEnabled: boolean;
  private idleWaiters: Array<() => void> = [];
  /** Moving averages of a run's duration and of requests per run, for Retry-After. */
  private avgRunMs = 0;
  private avgRequests = 1;

  constructor(
    options: Partial<BatcherOptions> & { model: string },
    private readonly run: RunBatch,
    private readonly events: BatcherEvents = {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.options = { ...BATCHER_DEFAULTS, ...options };
    for (const key of ['maxBatchSize', 'maxInFlight', 'maxQueueSize'] as const) {
      const value = this.options[key];
      if (!Number.isSafeInteger(value) || value < (key === 'maxQueueSize' ? 0 : 1)) {
        throw new RangeError(
          `batcher for model '${options.model}': ${key} must be a whole number >= ${key === 'maxQueueSize' ? 0 : 1}, got ${value}`,
        );
      }
    }
    if (!(this.options.maxQueueDelayMs >= 0)) {
      throw new RangeError(`batcher for model '${options.model}': maxQueueDelayMs must be >= 0, got ${this.options.maxQueueDelayMs}`);
    }
    this.batchingEnabled = this.options.maxBatchSize > 1;
  }

  get queued(): number {
    return this.queue.length;
  }

  get inFlight(): number {
    return this.running;
  }

  get batching(): boolean {
    return this.batchingEnabled;
  }

  /**
   * Queues one call; resolves with its own outputs. Rejects at once with 429 when the queue is
   * full, and with 408, unrun, when its `timeout` has passed by the time its run would start.
   */
  submit(feeds: TensorMap, fetches?: readonly string[], timeout?: QueueTimeout): Promise<TensorMap> {
    const rows = batchRows(feeds);
    return this.enqueue<TensorMap>({ feeds, fetches, key: rows === undefined ? undefined : batchKey(feeds), rows: rows ?? 1, timeout });
  }

  /**
   * Queues a unit of work of the model's that is not one batchable call (a recurrent loop run
   * whole on one worker): it waits in the same bounded queue, takes one slot and is never
   * batched. Rejects at once with 429 when the queue is full.
   */
  submitAlone<T>(work: () => Promise<T>): Promise<T> {
    return this.enqueue<T>({ feeds: {}, fetches: undefined, rows: 1, work });
  }

  private enqueue<T>(item: Omit<Pending, 'enqueuedAt' | 'resolve' | 'reject'>): Promise<T> {
    if (this.closed) return Promise.reject(new BatcherClosedError(this.options.model));
    // A free slot and an empty queue: the request does not wait, so it never counts as queued.
    if (this.queue.length >= this.options.maxQueueSize && !(this.queue.length === 0 && this.running < this.options.maxInFlight)) {
      return Promise.reject(new QueueFullError(this.options.model, this.queue.length, this.retryAfterSeconds()));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ ...item, enqueuedAt: this.now(), resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Refuses new work; resolves once everything queued or running has finished. */
  close(): Promise<void> {
    this.closed = true;
    return this.idle();
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    this.refuseExpired();
    while (this.running < this.options.maxInFlight && this.queue.length > 0) {
      const oldest = this.queue[0] as Pending;
      const picked = this.pick();
      const rows = picked.reduce((sum, i) => sum + (this.queue[i] as Pending).rows, 0);
      const full =
        !this.batchingEnabled || oldest.key === undefined || rows >= this.options.maxBatchSize || this.blockedByNext(picked, rows);
      const waited = this.now() - oldest.enqueuedAt;
      if (!full && waited < this.options.maxQueueDelayMs) {
        this.wakeAt(oldest.enqueuedAt + this.options.maxQueueDelayMs);
        return;
      }
      this.dispatch(picked);
    }
  }

  /** Requests whose own timeout passed while they waited leave the queue with their 408, unrun. */
  private refuseExpired(): void {
    const now = Date.now();
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const expired = expiredWait(this.queue[i]!.timeout, now);
      if (!expired) continue;
      this.queue[i]!.reject(expired);
      this.queue.splice(i, 1);
    }
    this.notifyIdle();
  }

  /** Queue indexes of the next batch: the oldest request and compatible followers, within maxBatchSize rows. */
  private pick(): number[] {
    const oldest = this.queue[0] as Pending;
    if (!this.batchingEnabled || oldest.key === undefined) return [0];
    const picked = [0];
    let rows = oldest.rows;
    for (let i = 1; i < this.queue.length && rows < this.options.maxBatchSize; i++) {
      const candidate = this.queue[i] as Pending;
      if (candidate.key !== oldest.key || rows + candidate.rows > this.options.maxBatchSize) continue;
      picked.push(i);
      rows += candidate.rows;
    }
    return picked;
  }

  /**
   * A batch that cannot grow any further is as good as full: waiting longer only adds latency.
   * That is the case when a compatible request is already queued but does not fit.
   */
  private blockedByNext(picked: readonly number[], rows: number): boolean {
    const key = (this.queue[0] as Pending).key;
    const taken = new Set(picked);
    return this.queue.some((p, i) => !taken.has(i) && p.key === key && rows + p.rows > this.options.maxBatchSize);
  }

  private wakeAt(due: number): void {
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.schedule();
      },
      Math.max(0, due - this.now()),
    );
  }

  private dispatch(indexes: readonly number[]): void {
    const taken = new Set(indexes);
    const batch = indexes.map((i) => this.queue[i] as Pending);
    for (let i = this.queue.length - 1; i >= 0; i--) if (taken.has(i)) this.queue.splice(i, 1);
    if (this.queue.length === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.running++;
    const started = this.now();
    const report: BatchReport = {
      model: this.options.model,
      requests: batch.length,
      rows: batch.reduce((sum, p) => sum + p.rows, 0),
      queueMs: batch.map((p) => started - p.enqueuedAt),
    };
    this.events.onDispatch?.(report);
    this.execute(batch)
      .catch((err: unknown) => {
        for (const p of batch) p.reject(err);
      })
      .finally(() => {
        this.running--;
        this.avgRunMs = this.avgRunMs === 0 ? this.now() - started : 0.8 * this.avgRunMs + 0.2 * (this.now() - started);
        this.avgRequests = 0.8 * this.avgRequests + 0.2 * batch.length;
        this.schedule();
        this.notifyIdle();
      });
  }

  private async execute(batch: readonly Pending[]): Promise<void> {
    const only = batch.length === 1 ? batch[0] : undefined;
    if (only) {
      await (only.work ? only.work() : this.run(only.feeds, only.fetches, () => expiredWait(only.timeout))).then(only.resolve, only.reject);
      return;
    }
    let outputs: TensorMap;
    try {
      outputs = await this.run(concatFeeds(batch.map((p) => p.feeds)), unionOfFetches(batch), () => everyExpired(batch));
    } catch (err) {
      // Refused unrun, every request past its timeout: each gets its own 408.
      if (err instanceof RequestTimeoutExpiredError) {
        for (const p of batch) p.reject(expiredWait(p.timeout) ?? err);
        return;
      }
      // One bad request must not fail its neighbours: rerun each alone, so only its own run fails.
      await this.runEachAlone(batch);
      return;
    }
    let parts: TensorMap[];
    try {
      parts = splitOutputs(
        outputs,
        batch.map((p) => p.rows),
      );
    } catch (err) {
      if (!(err instanceof UnsplittableOutputError)) throw err;
      this.batchingEnabled = false;
      this.events.onBatchingDisabled?.(
        this.options.model,
        `${err.message}: the model is not batched along dim 0; running requests one by one`,
      );
      await this.runEachAlone(batch);
      return;
    }
    batch.forEach((p, i) => p.resolve(pickOutputs(parts[i] as TensorMap, p.fetches)));
  }

  private async runEachAlone(batch: readonly Pending[]): Promise<void> {
    for (const p of batch) await this.run(p.feeds, p.fetches, () => expiredWait(p.timeout)).then(p.resolve, p.reject);
  }

  /** About how long the queue takes to drain at the recent pace: whole seconds, at least 1. */
  private retryAfterSeconds(): number {
    const runs = this.queue.length / Math.max(1, this.avgRequests) / this.options.maxInFlight;
    return Math.max(1, Math.ceil((runs * this.avgRunMs + this.options.maxQueueDelayMs) / 1000));
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.running > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/**
 * The 408 of a batch every request of which is past its own timeout; undefined while one may
 * still run (it is then run whole: the batch's tensors are already joined, and a request answered
 * late is Triton's behaviour once its batch has left the queue).
 */
function everyExpired(batch: readonly Pending[]): RequestTimeoutExpiredError | undefined {
  const now = Date.now();
  let first: RequestTimeoutExpiredError | undefined;
  for (const p of batch) {
    const expired = expiredWait(p.timeout, now);
    if (!expired) return undefined;
    first ??= expired;
  }
  return first;
}

/** Every output any request asked for; undefined (all outputs) when one asked for everything. */
function unionOfFetches(batch: readonly Pending[]): readonly string[] | undefined {
  if (batch.some((p) => p.fetches === undefined)) return undefined;
  return [...new Set(batch.flatMap((p) => p.fetches as readonly string[]))];
}

function pickOutputs(outputs: TensorMap, fetches: readonly string[] | undefined): TensorMap {
  if (fetches === undefined) return outputs;
  return Object.fromEntries(fetches.map((name) => [name, outputs[name]])) as TensorMap;
}
