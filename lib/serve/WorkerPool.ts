import { FairScheduler } from './FairScheduler';
import { ThreadLanes } from './threadLanes';
import {
  movableBuffers,
  tensorsOf,
  type SessionSpec,
  type WireLoop,
  type WireTensor,
  type WorkerReply,
  type WorkerTask,
} from './workerProtocol';

export interface WorkerPoolOptions {
  /** Worker threads; each holds its own session per model. */
  threads: number;
  /** How much lower the workers' CPU priority is than the HTTP thread's (nice increment, 0-19). */
  nice?: number;
  /** A task starts on a worker: its model and how long it waited for one, in ms. */
  onStart?: (model: string, waitedMs: number) => void;
}

/** The scheduler's flow of the loads that take their turn (no model's name: names match SERVED_NAME_PATTERN, which has no space). */
export const COLD_LOADS = 'cold loads';

/** Default nice increment of the workers: the event loop wins the CPU ~10:1 when both want it. */
export const DEFAULT_WORKER_NICE = 10;

type LoadReply = Extract<WorkerReply, { kind: 'load' }> | Extract<WorkerReply, { ok: false }>;
type RunReply = Extract<WorkerReply, { kind: 'run' }> | Extract<WorkerReply, { ok: false }>;
type UnloadReply = Extract<WorkerReply, { kind: 'unload' }> | Extract<WorkerReply, { ok: false }>;
type LoopReply = Extract<WorkerReply, { kind: 'loop' }> | Extract<WorkerReply, { ok: false }>;

/**
 * The inference threads, each a one-thread piscina (a lane), so the FairScheduler decides which
 * thread runs what: a light model's run goes to lane 0, which heavy models leave free while a
 * light one is active, and which runs at a higher CPU priority than the others. Every run
 * carries its model's SessionSpec, so any worker can serve any model: the first task a worker
 * gets for a model creates that worker's session. Tasks reach a lane only when it is free, in
 * the order the FairScheduler picks across models (per-model queues, served by measured run
 * time), never through one FIFO.
 */
export class WorkerPool {
  readonly threads: number;
  private readonly lanes: ThreadLanes<WorkerTask, WorkerReply>;
  private readonly scheduler: FairScheduler;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isSafeInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`workers must be a whole number >= 1, got ${options.threads}`);
    }
    this.threads = options.threads;
    this.lanes = new ThreadLanes<WorkerTask, WorkerReply>(options.threads, options.nice ?? DEFAULT_WORKER_NICE, { tasksPerThread: 1 });
    this.scheduler = new FairScheduler({ lanes: options.threads, onStart: options.onStart });
  }

  /** Tasks waiting for a worker, over every model. */
  get queued(): number {
    return this.scheduler.queued;
  }

  /**
   * Creates the model's session on the priority lane and returns its metadata. Loads bypass the
   * scheduler: a session's creation is not a run, and would make the model look heavy.
   */
  load(spec: SessionSpec): Promise<LoadReply> {
    return this.lanes.run(0, { kind: 'load', spec }) as Promise<LoadReply>;
  }

  /** One load task per thread, so the first requests rarely pay for a session. */
  warm(spec: SessionSpec): Promise<LoadReply[]> {
    return Promise.all(
      Array.from({ length: this.threads }, (_, lane) => this.lanes.run(lane, { kind: 'load', spec }) as Promise<LoadReply>),
    );
  }

  /**
   * A load taking its turn (a repository's model, loaded while others serve): every such load is
   * one flow of the scheduler, COLD_LOADS, so however many models load at once they take one
   * flow's share of the threads, behind no model's queued runs; and once a load has been
   * measured, a session's creation is heavy beside a loaded model's runs, so it keeps off the
   * priority lane while such a model is active.
   */
  loadInTurn(spec: SessionSpec): Promise<LoadReply> {
    return this.scheduler.submit(
      COLD_LOADS,
      (lane) => this.lanes.run(lane, { kind: 'load', spec }),
      undefined,
      'load',
    ) as Promise<LoadReply>;
  }

  /**
   * Releases the model's session on every thread, each after the task it is running: a run in
   * flight there finishes first. A pool already closing has nothing left to release.
   */
  async unload(spec: SessionSpec): Promise<number> {
    const replies = await Promise.all(
      Array.from({ length: this.threads }, (_, lane) =>
        (this.lanes.run(lane, { kind: 'unload', spec }) as Promise<UnloadReply>).catch(() => undefined),
      ),
    );
    return replies.filter((r) => r?.ok === true && r.released).length;
  }

  /**
   * `feeds` are moved to the thread that runs them (their buffers detached here): the caller
   * never reads them again. `withdrawn`: asked when the run's turn for a thread comes; an error
   * refuses it, unrun (a request's own timeout).
   */
  run(
    spec: SessionSpec,
    feeds: Record<string, WireTensor>,
    fetches?: readonly string[],
    withdrawn?: () => Error | undefined,
  ): Promise<RunReply> {
    return this.submit({ kind: 'run', spec, feeds, fetches: fetches ? [...fetches] : undefined }, withdrawn) as Promise<RunReply>;
  }

  /** A recurrent loop as one task: every step on one worker, one trip through the queue (its tensors moved there, as a run's feeds). */
  loop(spec: SessionSpec, loop: WireLoop): Promise<LoopReply> {
    return this.submit({ kind: 'loop', spec, loop }) as Promise<LoopReply>;
  }

  /** Pipeline members share their pipeline's turns (`flow`): one user-facing model, not three; each member's runs and loops are their own kind of cost. */
  private submit(task: WorkerTask, withdrawn?: () => Error | undefined): Promise<WorkerReply> {
    const flow = task.spec.flow ?? task.spec.model;
    // The feeds are moved to the thread, not cloned on this one: nothing here reads them again
    // (a failed batch reruns each request from its own feeds, never from the joined ones sent).
    const start = (lane: number) => this.lanes.run(lane, task, { transferList: movableBuffers(tensorsOf(task)) });
    return this.scheduler.submit(flow, start, undefined, `${task.spec.model}/${task.kind}`, withdrawn);
  }

  /** A task handed to one of its threads has not ended yet. */
  get busy(): boolean {
    return this.lanes.busy;
  }

  /** Lets every task handed to a thread finish (queued loads included), then stops the threads; new tasks are refused. */
  close(): Promise<void> {
    return this.lanes.close();
  }

  destroy(): Promise<void> {
    return this.lanes.destroy();
  }
}
