import { Piscina } from 'piscina';
import type { SessionSpec, WireTensor, WorkerReply, WorkerTask } from './workerProtocol';

export interface WorkerPoolOptions {
  /** Worker threads; each holds its own session per model. */
  threads: number;
  /** How much lower the workers' CPU priority is than the HTTP thread's (nice increment, 0-19). */
  nice?: number;
}

/** Default nice increment of the workers: the event loop wins the CPU ~10:1 when both want it. */
export const DEFAULT_WORKER_NICE = 10;

type LoadReply = Extract<WorkerReply, { kind: 'load' }> | Extract<WorkerReply, { ok: false }>;
type RunReply = Extract<WorkerReply, { kind: 'run' }> | Extract<WorkerReply, { ok: false }>;

/**
 * The inference threads (piscina). Every run carries its model's SessionSpec, so any worker can
 * serve any model: the first task a worker gets for a model creates that worker's session.
 */
export class WorkerPool {
  readonly threads: number;
  private readonly piscina: Piscina<WorkerTask, WorkerReply>;

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
  }

  /** Creates the model's session on one worker and returns its metadata. */
  load(spec: SessionSpec): Promise<LoadReply> {
    return this.piscina.run({ kind: 'load', spec }) as Promise<LoadReply>;
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
    return this.piscina.run({ kind: 'run', spec, feeds, fetches: fetches ? [...fetches] : undefined }) as Promise<RunReply>;
  }

  /** Lets running tasks finish, then stops the threads. */
  close(): Promise<void> {
    return this.piscina.close();
  }

  destroy(): Promise<void> {
    return this.piscina.destroy();
  }
}
