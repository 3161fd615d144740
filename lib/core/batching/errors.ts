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

/**
 * 408: the request waited longer than its own `timeout` parameter (Triton's request timeout, in
 * microseconds) before its run could start, and was not run. Triton answers these UNAVAILABLE;
 * here a 4xx, because the bound is the caller's own: a caller's 1 µs timeout must not trip the
 * 5xx alarm that rolls a canary back. tritonclient reports the message either way.
 */
export class RequestTimeoutExpiredError extends OnnxlessError {
  constructor(model: string, waitedMs: number, timeoutMs: number) {
    super(
      408,
      `model '${model}': request timeout expired: it waited ${Math.round(waitedMs * 1000)} µs for its run, over its timeout parameter of ${Math.round(timeoutMs * 1000)} µs; it was not run`,
    );
  }
}
