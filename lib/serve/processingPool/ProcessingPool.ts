import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { OnnxlessError } from '../../core/errors';
import type { RunQueue } from '../PooledSession';
import { DEFAULT_WORKER_NICE } from '../WorkerPool';
import type { WireTensor } from '../workerProtocol';
import { toWireError, type ProcessingReply, type ProcessingTask, type RunAnswer, type RunRequest } from './processingProtocol';

export interface ProcessingPoolOptions {
  threads: number;
  /** Requests waiting for a processing thread; one more is answered 429. */
  maxQueue: number;
  nice?: number;
}

/**
 * Tasks a processing thread awaits at once: most of a task's time is spent waiting for its
 * session run, so one thread keeps several requests moving (their CPU parts take turns).
 */
const TASKS_PER_THREAD = 4;

/**
 * The threads that do everything of a model request except the session run: body parsing
 * (JSON tensors, binary framing), image and audio decoding, resampling, tokenising, output
 * encoding and the pipelines' postprocessing. The HTTP thread only reads, routes and writes,
 * so /ping answers in milliseconds while these are saturated.
 */
export class ProcessingPool {
  private readonly piscina: Piscina<ProcessingTask, ProcessingReply>;

  constructor(options: ProcessingPoolOptions) {
    this.piscina = new Piscina<ProcessingTask, ProcessingReply>({
      filename: new URL('../worker/entry.mjs', import.meta.url).href,
      minThreads: options.threads,
      maxThreads: options.threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: TASKS_PER_THREAD,
      maxQueue: options.maxQueue,
      workerData: { nice: options.nice ?? DEFAULT_WORKER_NICE, module: './processingWorker.ts' },
    });
  }

  /** Runs a task; its session runs and loops go to `queue` (the model's batcher) over a channel of its own. */
  async run(task: Omit<ProcessingTask, 'port'>, queue: RunQueue): Promise<ProcessingReply> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (req: RunRequest) => {
      const answer: Promise<RunAnswer> =
        'loop' in req
          ? queue.submitLoop(req.loop).then((steps) => ({ id: req.id, steps }))
          : queue.submit(req.feeds, req.fetches).then((outputs) => ({ id: req.id, outputs: outputs as Record<string, WireTensor> }));
      answer.then(
        (a) => port1.postMessage(a),
        (err: unknown) => port1.postMessage({ id: req.id, error: toWireError(err) } satisfies RunAnswer),
      );
    });
    // The body is handed over, not copied, when it owns its memory (it is not needed here again).
    const body = task.body;
    const transferList: Array<ArrayBuffer | typeof port2> = [port2];
    if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer)
      transferList.push(body.buffer);
    try {
      return await this.piscina.run({ ...task, port: port2 } as ProcessingTask, { transferList: transferList as never });
    } catch (err) {
      if (err instanceof Error && err.message === 'Task queue is at limit') {
        throw new OnnxlessError(429, 'the server is busy: every request slot is taken; retry shortly', { headers: { 'retry-after': '1' } });
      }
      throw err;
    } finally {
      port1.close();
    }
  }

  close(): Promise<void> {
    return this.piscina.close();
  }

  destroy(): Promise<void> {
    return this.piscina.destroy();
  }
}
