import { Piscina } from 'piscina';

/**
 * How much lower the CPU priority of the threads past the first (the lanes heavy models take)
 * is than the priority lane's: at 5 nice steps Linux gives the priority lane ~3x their CPU share
 * when both want it, so a light run beside heavy ones is not slowed ~2x by sharing a core
 * equally. Nothing changes for a heavy model alone: it is never refused the CPU, only ranked.
 */
export const HEAVY_LANE_EXTRA_NICE = 5;

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

/**
 * `threads` one-thread piscina pools (lanes), so a FairScheduler, not piscina, picks the thread
 * each task runs on; lane 0, the priority lane, at `nice`, the others at laneNice's lower
 * priority. A lane's thread is never reaped when idle (an inference thread holds its sessions),
 * and piscina starts a new one if it dies.
 */
export function threadLanes<Task, Reply>(threads: number, nice: number, options: LaneOptions): Array<Piscina<Task, Reply>> {
  return Array.from(
    { length: threads },
    (_, lane) =>
      new Piscina<Task, Reply>({
        filename: new URL('./worker/entry.mjs', import.meta.url).href,
        minThreads: 1,
        maxThreads: 1,
        idleTimeout: Number.POSITIVE_INFINITY,
        concurrentTasksPerWorker: options.tasksPerThread,
        workerData: { nice: laneNice(lane, nice), ...(options.module ? { module: options.module } : {}) },
      }),
  );
}
