import { connect } from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The connection ended with an error (a reset) before or while the answer arrived. */
  error?: string;
}

/**
 * Sends bytes as they are on one TCP connection (no client library to fix them up) and reads
 * what comes back until the server closes the connection or `idleMs` passes without data.
 */
export function rawExchange(url: string, request: string | Buffer, idleMs = 2_000): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.setTimeout(idleMs, () => socket.destroy());
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => resolve({ ...parseReply(Buffer.concat(chunks).toString('latin1')), error }));
    socket.write(request);
  });
}

function parseReply(text: string): Omit<RawReply, 'error'> {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.\d (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: split < 0 ? '' : text.slice(split + 4) };
}

/**
 * Starts an upload of `declared` bytes, sends `sent` of them, and resets the connection:
 * a client that gave up mid-upload.
 */
export function abortedUpload(url: string, path: string, declared: number, sent: number): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${declared}\r\n\r\n`);
      // Time for the server to start reading the body before the reset.
      socket.write(Buffer.alloc(sent, 0x20), () => setTimeout(() => socket.resetAndDestroy(), 50));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}
