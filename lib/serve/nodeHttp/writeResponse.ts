import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { finished } from 'node:stream/promises';
import { EVERY_ANSWER, type HttpResponse } from '../../core/http/HttpTypes';

/**
 * Writes an answer and resolves once it is out, or rejects when the connection closes first
 * (`finished` sees a premature close), so a request whose client is gone still ends.
 * With `beforeEnd`, the whole answer is written but the response is ended (and, with `close`,
 * the socket closed) only once `beforeEnd` settles: the early-413 case, where the rest of the
 * body must be read first.
 */
export async function writeResponse(
  res: ServerResponse,
  response: HttpResponse,
  close: boolean,
  beforeEnd?: () => Promise<unknown>,
): Promise<void> {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  const headers: Record<string, string | number> = { ...response.headers, ...EVERY_ANSWER, 'content-length': body.length };
  if (close) headers.connection = 'close';
  const done = finished(res);
  res.writeHead(response.status, headers);
  if (beforeEnd) {
    res.write(body);
    await beforeEnd();
    res.end();
  } else {
    res.end(body);
  }
  await done;
}

/**
 * The answer to a request Node's HTTP parser refused (a malformed request line or header):
 * a 400 in the server's JSON error shape, then the connection closes. A connection that is
 * already gone (reset, timed out) is just dropped.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  const body = JSON.stringify({ error: status === 400 ? 'malformed HTTP request' : reason.toLowerCase() });
  const headers = Object.entries({
    'content-type': 'application/json',
    ...EVERY_ANSWER,
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n${body}`);
}
