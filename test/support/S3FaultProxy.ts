import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one request to the store looked like, as the proxy saw it. */
export interface ProxiedRequest {
  method: string;
  path: string;
  range?: string;
  status: number;
  userAgent?: string;
  /** Body bytes that actually went back to the client. */
  bodyBytes: number;
  fault?: Fault['type'];
}

export type Fault =
  | { type: 'status'; status: number; code?: string }
  /** Close the connection gracefully (FIN) after this many body bytes: a truncated body. */
  | { type: 'truncate'; afterBytes: number }
  /** Reset the connection (RST) after this many body bytes: a connection cut mid-body. */
  | { type: 'reset'; afterBytes: number }
  | { type: 'stall'; afterBytes: number; ms: number }
  | { type: 'latency'; ms: number };

interface FaultRule {
  fault: Fault;
  remaining: number;
  /** `range` is the request's Range header, for faults aimed at one part of a ranged download. */
  match: (method: string, path: string, range?: string) => boolean;
}

/**
 * An HTTP proxy in front of the local S3 server that counts every request and injects the
 * faults real S3 and real networks produce: 5xx answers, connections cut mid-body, stalls,
 * latency, and a per-connection bandwidth cap (real S3 serves each connection at a bounded rate).
 */
export class S3FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  private readonly rules: FaultRule[] = [];
  private server?: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true });
  /** Bytes per second per response; 0 = unlimited. */
  bytesPerSecond = 0;
  /**
   * Bytes forwarded per step: small so cuts land at the byte asked for and the cap is smooth;
   * the benchmarks raise it, since each step costs the proxy's one thread a write and a wait.
   */
  sliceBytes = 16384;

  constructor(private readonly upstream: string) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.forward(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.agent.destroy();
  }

  /** Inject `fault` into the next `times` requests matching `match` (default: object GETs). */
  inject(fault: Fault, times = 1, match: FaultRule['match'] = (m) => m === 'GET'): void {
    this.rules.push({ fault, remaining: times, match });
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  reset(): void {
    this.requests.length = 0;
    this.clearFaults();
  }

  /** GETs of an object key (body downloads), optionally only successful ones. */
  gets(key: string): ProxiedRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/${key}`));
  }

  private takeFault(method: string, path: string, range?: string): Fault | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && r.match(method, path, range));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    const record: ProxiedRequest = {
      method: req.method ?? 'GET',
      path,
      range: req.headers.range,
      userAgent: req.headers['user-agent'],
      status: 0,
      bodyBytes: 0,
    };
    this.requests.push(record);
    const fault = this.takeFault(record.method, path, record.range);
    record.fault = fault?.type;
    if (fault?.type === 'latency') await sleep(fault.ms);
    if (fault?.type === 'status') {
      record.status = fault.status;
      req.resume();
      const code = fault.code ?? (fault.status === 503 ? 'SlowDown' : 'InternalError');
      res.writeHead(fault.status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>injected</Message></Error>`);
      return;
    }
    const upstream = http.request(`${this.upstream}${req.url}`, { method: req.method, headers: req.headers, agent: this.agent }, (up) => {
      record.status = up.statusCode ?? 0;
      res.writeHead(up.statusCode ?? 502, up.headers);
      void this.pipeBody(up, res, record, fault);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  private async pipeBody(up: http.IncomingMessage, res: http.ServerResponse, record: ProxiedRequest, fault?: Fault): Promise<void> {
    const started = Date.now();
    try {
      for await (const piece of up as AsyncIterable<Buffer>) {
        // Small slices so cuts land at the byte asked for and the cap is smooth.
        for (let offset = 0; offset < piece.length; offset += this.sliceBytes) {
          const chunk = piece.subarray(offset, offset + this.sliceBytes);
          if (
            (fault?.type === 'truncate' || fault?.type === 'reset' || fault?.type === 'stall') &&
            record.bodyBytes + chunk.length >= fault.afterBytes
          ) {
            const head = chunk.subarray(0, Math.max(0, fault.afterBytes - record.bodyBytes));
            if (head.length > 0) await flushed(res, head);
            record.bodyBytes += head.length;
            if (fault.type === 'truncate' || fault.type === 'reset') {
              if (fault.type === 'reset') res.socket?.resetAndDestroy();
              else res.socket?.destroy();
              up.destroy();
              return;
            }
            await sleep(fault.ms);
            fault = undefined;
            const tail = chunk.subarray(head.length);
            if (tail.length > 0) await write(res, tail);
            record.bodyBytes += tail.length;
            continue;
          }
          await write(res, chunk);
          record.bodyBytes += chunk.length;
          if (this.bytesPerSecond > 0) {
            const due = started + (record.bodyBytes / this.bytesPerSecond) * 1000;
            const wait = due - Date.now();
            if (wait > 0) await sleep(wait);
          }
        }
      }
      res.end();
    } catch {
      res.destroy();
    }
  }
}

function write(res: http.ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new Error('client went away'));
    res.write(chunk) ? resolve() : res.once('drain', resolve);
  });
}

/** Resolves once the chunk has left Node for the kernel, so a cut right after delivers it. */
function flushed(res: http.ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => res.write(chunk, (err) => (err ? reject(err) : resolve())));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
