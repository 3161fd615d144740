import type { IncomingMessage } from 'node:http';
import { BadRequestError, PayloadTooLargeError, NamedError } from '../../core/errors';

/**
 * The client went away before its request was read or answered (an aborted upload, a closed
 * connection). Nobody is left to answer: it is logged at INFO, since any client can cause it.
 */
export class ClientGoneError extends NamedError {
  constructor(what: string) {
    super(`client disconnected ${what}`);
  }
}

/**
 * The body, refusing (413) as soon as it is known to be over `max`: from Content-Length, else
 * while reading. Rejects with ClientGoneError when the connection closes before the body ends,
 * so an aborted upload never leaves a request waiting for ever.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > max) {
    return Promise.reject(new PayloadTooLargeError(`request body is ${declared} bytes, over the limit of ${max} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > max) {
        cleanup();
        req.pause();
        reject(new PayloadTooLargeError(`request body is over the limit of ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length));
    };
    const onClose = () => {
      cleanup();
      reject(new ClientGoneError(`after ${length} bytes of the request body`));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new ClientGoneError(`while sending the request body (${err.message})`));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onError);
  });
}

/** Content-Length as a number; a value that is not a plain decimal is the caller's mistake. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw new BadRequestError(`Content-Length must be a decimal number, got '${raw.slice(0, 40)}'`);
  return Number(raw);
}

export interface DiscardLimits {
  /** Most bytes read and thrown away after an early answer. */
  maxBytes: number;
  /** Longest wait for the client to finish sending. */
  maxMs: number;
}

/**
 * Reads and throws away what is left of a body the server has already answered (a 413), so a
 * client that sends it all before reading (one that does not wait for `100 Continue`, like
 * Python's http.client) reads the answer instead of a reset: closing a socket with unread
 * input makes the kernel send RST, and the client's next write fails with a broken pipe.
 * Resolves true when the body ended within the limits, false when it was cut off.
 */
export function discardRest(req: IncomingMessage, limits: DiscardLimits): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  return new Promise((resolve) => {
    let seen = 0;
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      req.off('error', onClose);
      resolve(ended);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limits.maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(req.complete);
    const timer = setTimeout(() => finish(false), limits.maxMs);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
    req.on('error', onClose);
    req.resume();
  });
}
