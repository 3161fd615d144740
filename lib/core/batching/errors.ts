import { OnnxlessError } from '../errors';

/**
 * 429: the model's queue is full. `Retry-After` tells the caller when the queue has likely
 * moved (Triton sheds load the same way; a caller should back off, not hammer).
 */
export class QueueFullError extends OnnxlessError {
  readonly model: string;
  constructor(model: string, queued: number, retryAfterSeconds: number) {
    super(429, `model '${model}' is busy: its queue is full (${queued} requests waiting); retry after ${retryAfterSeconds} s`, {
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
    this.model = model;
  }
}

/** 503: the batcher is closed (the server is draining) and takes no new work. */
export class BatcherClosedError extends OnnxlessError {
  constructor(model: string) {
    super(503, `model '${model}' is shutting down and takes no new requests`, { headers: { 'retry-after': '1' } });
  }
}
