import { MessageChannel } from 'node:worker_threads';
import { OnnxlessError } from '../../core/errors';
import type { RunQueue } from '../PooledSession';
import { FairScheduler } from '../FairScheduler';
import { ThreadLanes } from '../threadLanes';
import { DEFAULT_WORKER_NICE } from '../WorkerPool';
import { movableBuffers, type WireTensor } from '../workerProtocol';
import {
  toWireError,
  type ProcessingReply,
  type ProcessingRequest,
  type ProcessingTask,
  type RunAnswer,
  type RunRequest,
} from './processingProtocol';

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
 *
 * Each thread is a lane of its own, and models take turns on them as on the inference threads
 * (FairScheduler, by each request's measured CPU part: preprocess and postprocess): a light
 * model's request goes to lane 0, where no heavy model's work starts while it is active, so a
 * 4 s clip's decode does not share its thread's event loop with a 6 MB JSON parse.
 */
export class ProcessingPool {
  private readonly lanes: ThreadLanes<ProcessingTask, ProcessingReply>;
  private readonly scheduler: FairScheduler;
  private readonly maxQueue: number;

  constructor(options: ProcessingPoolOptions) {
    this.lanes = new ThreadLanes<ProcessingTask, ProcessingReply>(options.threads, options.nice ?? DEFAULT_WORKER_NICE, {
      tasksPerThread: TASKS_PER_THREAD,
      module: './processingWorker.ts',
    });
    this.scheduler = new FairScheduler({ lanes: options.threads, perLane: TASKS_PER_THREAD });
    this.maxQueue = options.maxQueue;
  }

  /**
   * Runs a task; its session runs and loops go to `queue` (the model's batcher) over a channel of
   * its own; a pipeline's to each member's queue, by role.
   */
  async run(task: ProcessingRequest, queues: RunQueue | Readonly<Record<string, RunQueue>>): Promise<ProcessingReply> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (req: RunRequest) => {
      const queue = req.member === undefined ? (queues as RunQueue) : (queues as Readonly<Record<string, RunQueue>>)[req.member]!;
      const answer: Promise<RunAnswer> =
        'loop' in req
          ? queue.submitLoop(req.loop).then((steps) => ({ id: req.id, steps }))
          : queue
              .submit(req.feeds, req.fetches, req.timeout)
              .then((outputs) => ({ id: req.id, outputs: outputs as Record<string, WireTensor> }));
      answer.then(
        // Outputs go to the processing thread moved, not cloned here (this thread keeps none of them).
        (a) => port1.postMessage(a, movableBuffers(answerTensors(a))),
        (err: unknown) => port1.postMessage({ id: req.id, error: toWireError(err) } satisfies RunAnswer),
      );
    });
    // The body is handed over, not copied, when it owns its memory (it is not needed here again).
    const body = task.body;
    const transferList: Array<ArrayBuffer | typeof port2> = [port2];
    if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer)
      transferList.push(body.buffer);
    try {
      if (this.scheduler.queued >= this.maxQueue)
        throw new OnnxlessError(429, 'the server is busy: every request slot is taken; retry shortly', { headers: { 'retry-after': '1' } });
      return await this.scheduler.submit(
        task.kind === 'pipeline' ? task.name : task.model.name,
        (lane) => this.lanes.run(lane, { ...task, port: port2 } as ProcessingTask, { transferList: transferList as never }),
        cpuPart,
      );
    } finally {
      port1.close();
    }
  }

  /** A task handed to one of its threads has not ended yet. */
  get busy(): boolean {
    return this.lanes.busy;
  }

  close(): Promise<void> {
    return this.lanes.close();
  }

  destroy(): Promise<void> {
    return this.lanes.destroy();
  }
}

/** A request's own work on its processing thread, in ms: all but the session runs it waited for. */
function cpuPart(reply: ProcessingReply): number | undefined {
  const { preprocess, postprocess } = reply.phases;
  return preprocess === undefined && postprocess === undefined ? undefined : (preprocess ?? 0) + (postprocess ?? 0);
}

/** The tensors an answer carries back to its processing thread. */
function answerTensors(answer: RunAnswer): WireTensor[] {
  if ('outputs' in answer) return Object.values(answer.outputs);
  if ('steps' in answer) return answer.steps.flatMap((step) => Object.values(step));
  return [];
}
