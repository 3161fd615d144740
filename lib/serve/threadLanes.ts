import { Piscina } from 'piscina';

/**
 * How much lower the CPU priority of the threads past the first (the lanes heavy models take)
 * is than the priority lane's. Linux's scheduler weights a thread by its nice value (nice 10:
 * 110, 15: 36, 19: 15), so at 9 steps the priority lane keeps ~88 % of a core it shares with one
 * heavy lane. At 5 steps (~75 %) a VAD clip's run beside OCR took 35-49 ms against 21 idle on 2
 * cores and its p50 missed 2x idle in 2 runs of 3 (bench fair-scheduling, 2026-12-06); at 9 its
 * p50 was 1.36x / 1.99x idle beside OCR / in the 8-client mix, OCR's pages/s unchanged within
 * noise. Nothing changes for a heavy model alone: it is never refused the CPU, only ranked.
 */
export const HEAVY_LANE_EXTRA_NICE = 9;

/** The nice increment of each lane: lane 0 at `nice`, the others HEAVY_LANE_EXTRA_NICE lower in priority. */
export function laneNice(lane: number, nice: number): number {
  return lane === 0 ? nice : Math.min(19, nice + HEAVY_LANE_EXTRA_NICE);
}

export interface LaneOptions {
  /** Tasks one thread awaits at once. */
  tasksPerThread: number;
  /** The worker module under lib/serve/worker/ (default: the inference worker). */
  module?: string;
}

/** A task handed to a pool that is closing: the server is stopping, nothing new starts. */
export class PoolClosedError extends Error {
  constructor() {
    super('the server is stopping: no new work starts');
    this.name = 'PoolClosedError';
  }
}

/**
 * `threads` one-thread piscina pools (lanes), so a FairScheduler, not piscina, picks the thread
 * each task runs on; lane 0, the priority lane, at `nice`, the others at laneNice's lower
 * priority. A lane's thread is never reaped when idle (an inference thread holds its sessions),
 * and piscina starts a new one if it dies.
 *
 * `close` refuses new tasks, waits for every task already handed to a lane, queued ones
 * included, and only then stops the threads. piscina's own close counts a thread done when its
 * running task ends, then terminates it: a task queued behind (a session being created for a
 * model still loading when the server drained) was cut in its native call, and onnxruntime's
 * binding aborted the process (`terminate called after throwing an instance of 'Napi::Error'`).
 */
export class ThreadLanes<Task, Reply> {
  private readonly lanes: Array<Piscina<Task, Reply>>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(threads: number, nice: number, options: LaneOptions) {
    this.lanes = Array.from(
      { length: threads },
      (_, lane) =>
        new Piscina<Task, Reply>({
          filename: new URL('./worker/entry.mjs', import.meta.url).href,
          minThreads: 1,
          maxThreads: 1,
          idleTimeout: Number.POSITIVE_INFINITY,
          concurrentTasksPerWorker: options.tasksPerThread,
          // piscina's own run and wait histograms: nothing reads them (/metrics has ours), and
          // recording them took ~15 us of the HTTP thread per task in a CPU profile of serve.
          recordTiming: false,
          workerData: { nice: laneNice(lane, nice), ...(options.module ? { module: options.module } : {}) },
        }),
    );
  }

  get count(): number {
    return this.lanes.length;
  }

  /** Runs `task` on lane `lane`; refused (PoolClosedError) once `close` was called. */
  run(lane: number, task: Task, options?: Parameters<Piscina<Task, Reply>['run']>[1]): Promise<Reply> {
    if (this.closing) return Promise.reject(new PoolClosedError());
    const running = this.lanes[lane]!.run(task, options);
    this.inFlight.add(running);
    const forget = () => this.inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** A task handed to a thread has not ended yet (a thread may be inside a native call). */
  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Lets every task handed over finish, then stops the threads. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await Promise.all(this.lanes.map((lane) => lane.close()));
  }

  /** Stops the threads now, whatever they run (the drain's deadline). */
  async destroy(): Promise<void> {
    this.closing = true;
    await Promise.all(this.lanes.map((lane) => lane.destroy()));
  }
}
