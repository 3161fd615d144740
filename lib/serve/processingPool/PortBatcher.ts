import type { MessagePort } from 'node:worker_threads';
import type { TensorMap } from '../../core/batching/BatchTensor';
import type { WireTensor } from '../workerProtocol';
import { fromWireError, type RunAnswer, type RunRequest } from './processingProtocol';

/**
 * A processing thread's stand-in for the model's DynamicBatcher: `submit` sends the feeds to
 * the HTTP thread, whose batcher runs them (batched with other requests) on an inference thread.
 */
export class PortBatcher {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (t: TensorMap) => void; reject: (e: Error) => void }>();

  constructor(private readonly port: MessagePort) {
    port.on('message', (answer: RunAnswer) => {
      const waiter = this.waiting.get(answer.id);
      if (!waiter) return;
      this.waiting.delete(answer.id);
      if ('error' in answer) waiter.reject(fromWireError(answer.error));
      else waiter.resolve(answer.outputs);
    });
  }

  submit(feeds: TensorMap, fetches?: readonly string[]): Promise<TensorMap> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.port.postMessage({
        id,
        feeds: feeds as Record<string, WireTensor>,
        fetches: fetches ? [...fetches] : undefined,
      } satisfies RunRequest);
    });
  }
}
