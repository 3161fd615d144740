import { Piscina } from 'piscina';
import { FairScheduler } from './FairScheduler';
import type { SessionSpec, WireLoop, WireTensor, WorkerReply, WorkerTask } from './workerProtocol';

export interface WorkerPoolOptions {
  /** Worker threads; each holds its own session per model. */
  threads: number;
  /** How much lower the workers' CPU priority is than the HTTP thread's (nice increment, 0-19). */
  nice?: number;
  /** A task starts on a worker: its model and how long it waited for one, in ms. */
  onStart?: (model: string, waitedMs: number) => void;
}

/** Default nice increment of the workers: the event loop wins the CPU ~10:1 when both want it. */
export const DEFAULT_WORKER_NICE = 10;

type LoadReply = Extract<WorkerReply, { kind: 'load' }> | Extract<WorkerReply, { ok: false }>;
type RunReply = Extract<WorkerReply, { kind: 'run' }> | Extract<WorkerReply, { ok: false }>;
type LoopReply = Extract<WorkerReply, { kind: 'loop' }> | Extract<WorkerReply, { ok: false }>;

/**
 * The inference threads (piscina). Every run carries its model's SessionSpec, so any worker can
 * serve any model: the first task a worker gets for a model creates that worker's session.
 * Tasks reach piscina only when a thread is free, in the order the FairScheduler picks across
 * models (per-model queues, served by measured run time), never through piscina's one FIFO.
 */
export class WorkerPool {
  readonly threads: number;
  private readonly piscina: Piscina<WorkerTask, WorkerReply>;
  private readonly scheduler: FairScheduler;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isSafeInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`workers must be a whole number >= 1, got ${options.threads}`);
    }
    this.threads = options.threads;
    this.piscina = new Piscina<WorkerTask, WorkerReply>({
      filename: new URL('./worker/entry.mjs', import.meta.url).href,
      minThreads: options.threads,
      maxThreads: options.threads,
      // Sessions live in the workers: an idle worker must never be reaped with its sessions.
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: 1,
      workerData: { nice: options.nice ?? DEFAULT_WORKER_NICE },
    });
    this.scheduler = new FairScheduler({ slots: options.threads, onStart: options.onStart });
  }

  /** Tasks waiting for a worker, over every model. */
  get queued(): number {
    return this.scheduler.queued;
  }

  /** Creates the model's session on one worker and returns its metadata. */
  load(spec: SessionSpec): Promise<LoadReply> {
    return this.submit({ kind: 'load', spec }) as Promise<LoadReply>;
  }

  /**
   * Best effort: as many concurrent load tasks as there are threads, which piscina hands to
   * distinct idle workers, so the first requests rarely pay for a session. Any worker that
   * missed out creates its session on its first run instead.
   */
  warm(spec: SessionSpec): Promise<LoadReply[]> {
    return Promise.all(Array.from({ length: this.threads }, () => this.load(spec)));
  }

  run(spec: SessionSpec, feeds: Record<string, WireTensor>, fetches?: readonly string[]): Promise<RunReply> {
    return this.submit({ kind: 'run', spec, feeds, fetches: fetches ? [...fetches] : undefined }) as Promise<RunReply>;
  }

  /** A recurrent loop as one task: every step on one worker, one trip through the queue. */
  loop(spec: SessionSpec, loop: WireLoop): Promise<LoopReply> {
    return this.submit({ kind: 'loop', spec, loop }) as Promise<LoopReply>;
  }

  private submit(task: WorkerTask): Promise<WorkerReply> {
    return this.scheduler.submit(task.spec.model, () => this.piscina.run(task));
  }

  /** Lets running tasks finish, then stops the threads. */
  close(): Promise<void> {
    return this.piscina.close();
  }

  destroy(): Promise<void> {
    return this.piscina.destroy();
  }
}
