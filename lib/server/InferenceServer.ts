import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PayloadTooLargeError, toPublicError } from '../errors';
import { jsonResponse, type HttpRequest, type HttpResponse } from '../http/HttpTypes';
import type { Router } from '../http/routes';
import { describeError, type ServerLog } from './log';
import type { ServerMetrics } from './metrics';
import { invocationRequest } from './sagemaker';
import type { ServedModel } from './ServedModel';

export interface InferenceServerOptions {
  router: Router;
  models: readonly ServedModel[];
  /** The model `/invocations` serves. */
  defaultModel?: string;
  metrics: ServerMetrics;
  log: ServerLog;
  /** Largest body read from the socket: the largest of the models' own limits. */
  maxBodyBytes: number;
}

/** Route templates for metric labels (never raw paths), matched like the Router's, at the end. */
const ROUTE_TEMPLATES: ReadonlyArray<[RegExp, string]> = [
  [/\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/infer$/, '/v2/models/{model}/infer'],
  [/\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/ready$/, '/v2/models/{model}/ready'],
  [/\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?$/, '/v2/models/{model}'],
  [/\/models\/([^/]+)\/predict$/, '/models/{model}/predict'],
  [/\/v2\/health\/(live|ready)$/, '/v2/health/{kind}'],
  [/\/v2\/?$/, '/v2'],
];

/**
 * The Node HTTP adapter: the Router's OIP and domain routes, plus what only a long-running
 * server has: SageMaker's `/ping` and `/invocations`, Prometheus `/metrics`, and a graceful
 * drain. Nothing here waits on a worker thread except the model routes themselves, so `/ping`,
 * health and metrics answer while every worker is busy.
 */
export class InferenceServer {
  readonly http: Server;
  private readonly models: ReadonlyMap<string, ServedModel>;
  private inFlight = 0;
  private draining?: Promise<boolean>;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: InferenceServerOptions) {
    this.models = new Map(options.models.map((m) => [m.name, m]));
    this.http = createServer((req, res) => void this.serve(req, res));
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  get isDraining(): boolean {
    return this.draining !== undefined;
  }

  /**
   * Stops accepting connections, lets every request in flight finish (keep-alive connections
   * are told to close), and resolves true once none is left, or false after `timeoutMs`, when
   * the remaining connections are cut.
   */
  drain(timeoutMs: number): Promise<boolean> {
    this.draining ??= new Promise<boolean>((resolve) => {
      this.http.close();
      this.http.closeIdleConnections();
      const timer = setTimeout(() => {
        this.http.closeAllConnections();
        resolve(false);
      }, timeoutMs);
      this.whenIdle(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    return this.draining;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    this.inFlight++;
    this.options.metrics.inFlight.inc();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const { route, model } = this.classify(url.pathname);
    let response: HttpResponse;
    try {
      const body = await readBody(req, this.options.maxBodyBytes);
      response = await this.dispatch({
        method,
        path: url.pathname,
        headers: req.headers as Record<string, string | undefined>,
        query: Object.fromEntries(url.searchParams),
        body,
      });
    } catch (err) {
      response = this.errorResponse(err);
    }
    try {
      await write(res, response, this.isDraining || response.status === 413);
    } catch (err) {
      this.options.log('WARN', 'response not delivered', { route, error: describeError(err) });
    } finally {
      const labels = { model: model ?? '', route };
      this.options.metrics.requests.inc({ ...labels, status: String(response.status) });
      this.options.metrics.requestDuration.observe(labels, (performance.now() - started) / 1000);
      this.options.metrics.inFlight.dec();
      this.inFlight--;
      if (this.inFlight === 0) this.notifyIdle();
    }
  }

  private async dispatch(req: HttpRequest): Promise<HttpResponse> {
    if (req.path === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) return this.ping();
    if (req.path === '/metrics' && req.method === 'GET') {
      return { status: 200, headers: { 'content-type': this.options.metrics.contentType }, body: await this.options.metrics.text() };
    }
    if (req.path === '/invocations' && req.method === 'POST') {
      const target = invocationRequest(req, this.defaultModel(), (m) => this.models.get(m)?.pipeline !== undefined, [...this.models.keys()]);
      return this.options.router.handle(target);
    }
    return this.options.router.handle(req);
  }

  /**
   * SageMaker's health check, answered from memory: 200 once every eager model is loaded,
   * 503 while one is loading or failed (with why), and 503 while draining.
   */
  private ping(): HttpResponse {
    if (this.isDraining) return jsonResponse(503, { status: 'draining' });
    const waiting: Record<string, string> = {};
    for (const model of this.models.values()) {
      const loader = model.pooledLoader;
      if (loader.isLoaded || !loader.eager) continue;
      waiting[model.name] = loader.failure ?? 'loading';
    }
    if (Object.keys(waiting).length > 0) return jsonResponse(503, { status: 'loading', models: waiting });
    return jsonResponse(200, { status: 'healthy' });
  }

  private defaultModel(): string | undefined {
    if (this.options.defaultModel !== undefined) return this.options.defaultModel;
    return this.models.size === 1 ? [...this.models.keys()][0] : undefined;
  }

  private errorResponse(err: unknown): HttpResponse {
    const { status, message, headers } = toPublicError(err);
    if (status >= 500) this.options.log('ERROR', 'request failed', { error: describeError(err) });
    return jsonResponse(status, { error: message }, headers);
  }

  private classify(path: string): { route: string; model?: string } {
    if (path === '/ping' || path === '/metrics') return { route: path };
    if (path === '/invocations') return { route: path, model: this.defaultModel() };
    for (const [pattern, route] of ROUTE_TEMPLATES) {
      const match = pattern.exec(path);
      if (!match) continue;
      const name = route.includes('{model}') ? safeDecode(match[1] ?? '') : undefined;
      // Only a served model's name becomes a label, never whatever a caller typed.
      return { route, model: name !== undefined && this.models.has(name) ? name : undefined };
    }
    return { route: 'unmatched' };
  }

  private whenIdle(fn: () => void): void {
    if (this.inFlight === 0) fn();
    else this.idleWaiters.push(fn);
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** The body, refusing (413) as soon as it is known to be over `max`: from Content-Length, else while reading. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) {
    req.resume();
    return Promise.reject(new PayloadTooLargeError(`request body is ${declared} bytes, over the limit of ${max} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > max) {
        req.removeAllListeners('data');
        req.resume();
        reject(new PayloadTooLargeError(`request body is over the limit of ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, response: HttpResponse, close: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
    const headers: Record<string, string | number> = { ...response.headers, 'content-length': body.length };
    if (close) headers.connection = 'close';
    res.writeHead(response.status, headers);
    res.end(body, () => resolve());
    res.once('error', reject);
  });
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
