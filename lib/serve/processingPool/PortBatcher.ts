import type { MessagePort } from 'node:worker_threads';
import type { TensorMap } from '../../core/batching/BatchTensor';
import type { QueueTimeout } from '../../core/batching/QueueTimeout';
import type { RunQueue } from '../PooledSession';
import type { WireLoop, WireTensor } from '../workerProtocol';
import { fromWireError, type RunAnswer, type RunRequest } from './processingProtocol';

/**
 * A processing thread's stand-in for the model's DynamicBatcher: `submit` sends the feeds to
 * the HTTP thread, whose batcher runs them (batched with other requests) on an inference thread;
 * `submitLoop` sends a whole recurrent loop, run there as one task.
 */
export class PortBatcher implements RunQueue {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (answer: RunAnswer) => void; reject: (e: Error) => void }>();

  constructor(private readonly port: MessagePort) {
    port.on('message', (answer: RunAnswer) => {
      const waiter = this.waiting.get(answer.id);
      if (!waiter) return;
      this.waiting.delete(answer.id);
      if ('error' in answer) waiter.reject(fromWireError(answer.error));
      else waiter.resolve(answer);
    });
  }

  submit(feeds: TensorMap, fetches?: readonly string[], timeout?: QueueTimeout): Promise<TensorMap> {
    return this.submitFor(undefined, feeds, fetches, timeout);
  }

  submitLoop(loop: WireLoop): Promise<Array<Record<string, WireTensor>>> {
    return this.submitLoopFor(undefined, loop);
  }

  /** A pipeline member's queue on the same port: its runs go to that member's batcher. */
  queueFor(member: string): RunQueue {
    return {
      submit: (feeds, fetches, timeout) => this.submitFor(member, feeds, fetches, timeout),
      submitLoop: (loop) => this.submitLoopFor(member, loop),
    };
  }

  private async submitFor(
    member: string | undefined,
    feeds: TensorMap,
    fetches?: readonly string[],
    timeout?: QueueTimeout,
  ): Promise<TensorMap> {
    const answer = await this.send({
      id: this.next++,
      feeds: feeds as Record<string, WireTensor>,
      fetches: fetches ? [...fetches] : undefined,
      timeout,
      member,
    });
    return (answer as Extract<RunAnswer, { outputs: unknown }>).outputs;
  }

  private async submitLoopFor(member: string | undefined, loop: WireLoop): Promise<Array<Record<string, WireTensor>>> {
    const answer = await this.send({ id: this.next++, loop, member });
    return (answer as Extract<RunAnswer, { steps: unknown }>).steps;
  }

  private send(request: RunRequest): Promise<RunAnswer> {
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject });
      this.port.postMessage(request);
    });
  }
}
