import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactInternals, toPublicError } from '../core/errors';
import { EVERY_ANSWER, jsonResponse, type HttpRequest, type HttpResponse } from '../core/http/HttpTypes';
import type { Router } from '../core/http/routes';
import type { ApiKeys } from './ApiKeys';
import { matchRoute } from '../core/http/routeTable';
import { describeError, type ServerLog } from './log';
import type { ServerMetrics } from './metrics';
import { answerClientError, writeResponse } from './nodeHttp/writeResponse';
import { ClientGoneError, declaredLength, discardRest, readBody } from './nodeHttp/requestBody';
import { checkRequestHeaders } from './nodeHttp/requestHeaders';
import { parseRequestTarget } from './nodeHttp/requestTarget';
import { invocationRequest, targetModelOf } from './sagemaker';
import { modelRepositoryRoute, modelRepositoryRouteName } from './modelRepositoryRoutes';
import type { ServedModel } from './ServedModel';
import type { ServedRepository } from './modelRepositoryRoutes';

export interface InferenceServerOptions {
  router: Router;
  models: readonly ServedModel[];
  /** The config's model repository: every other model name the path or SageMaker's target header gives is looked up in its index. */
  repository?: ServedRepository;
  /** The model `/invocations` serves. */
  defaultModel?: string;
  metrics: ServerMetrics;
  log: ServerLog;
  /** Largest body read from the socket: the largest of the models' own limits. */
  maxBodyBytes: number;
  /** API keys every route but the open ones needs; none: every route is open. */
  apiKeys?: ApiKeys;
}

/** Status recorded for a request whose client closed the connection before the answer. */
const CLIENT_CLOSED = 499;

/** After an early 413, how much of the rest of the body is read and dropped before closing. */
const DISCARD_LIMITS = { maxBytes: 64 * 1024 * 1024, maxMs: 10_000 } as const;

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
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      this.serve(req, res).catch((err: unknown) => this.options.log('ERROR', 'request handling failed', { error: describeError(err) }));
    };
    this.http = createServer(onRequest);
    // `Expect: 100-continue`: Node would send `100 Continue` for every request. A body that will be
    // refused on its declared length gets the refusal instead, and the client never sends it.
    this.http.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (this.mayContinue(req)) res.writeContinue();
      onRequest(req, res);
    });
    // Any other expectation: answered 417 in the same JSON as every error (checkRequestHeaders).
    this.http.on('checkExpectation', onRequest);
    // A request the HTTP parser cannot read never reaches `serve`: answer it in the same JSON.
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket) => answerClientError(err, socket));
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

  /**
   * One request, start to end, inside the error boundary: the target, headers and body are
   * read in the `try`, and the in-flight slot is released in the `finally` whatever happens
   * (an aborted upload, a client gone mid-answer, a timeout).
   */
  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    this.inFlight++;
    this.options.metrics.inFlight.inc();
    let route = 'unmatched';
    let model: string | undefined;
    let status = 0;
    try {
      let response: HttpResponse;
      try {
        const { path, query } = parseRequestTarget(req.url);
        ({ route, model } = this.classify(path));
        this.admit(path, req);
        const method = (req.method ?? 'GET').toUpperCase();
        const body = await readBody(req, this.bodyLimit(model));
        response = await this.dispatch({ method, path, headers: req.headers as Record<string, string | undefined>, query, body });
      } catch (err) {
        if (err instanceof ClientGoneError) throw err;
        response = this.errorResponse(err);
      }
      status = response.status;
      await this.respond(req, res, response);
    } catch (err) {
      status = this.lastResort(err, res, route);
    } finally {
      const labels = { model: model ?? '', route };
      this.options.metrics.requests.inc({ ...labels, status: String(status) });
      this.options.metrics.requestDuration.observe(labels, (performance.now() - started) / 1000);
      this.options.metrics.inFlight.dec();
      this.inFlight--;
      if (this.inFlight === 0) this.notifyIdle();
    }
  }

  /**
   * Writes the answer. A 413 sent before the body was read keeps reading (and dropping) the
   * rest, within bounds, and closes only then, so the client reads the 413.
   */
  private async respond(req: IncomingMessage, res: ServerResponse, response: HttpResponse): Promise<void> {
    if (res.destroyed) throw new ClientGoneError('before the answer was written');
    const unread = !req.complete;
    await writeResponse(res, response, this.isDraining || unread, unread ? () => discardRest(req, DISCARD_LIMITS) : undefined);
  }

  /**
   * What escaped everything else: a client gone (INFO, nothing to answer) or a bug (ERROR and
   * a 500 if the head is not out yet). Either way the server keeps serving. Returns the status
   * recorded for the request (499, as nginx counts a client that closed first).
   */
  private lastResort(err: unknown, res: ServerResponse, route: string): number {
    if (err instanceof ClientGoneError || (err as NodeJS.ErrnoException)?.code === 'ERR_STREAM_PREMATURE_CLOSE') {
      this.options.log('INFO', 'client disconnected', { route, detail: (err as Error).message });
      res.destroy();
      return CLIENT_CLOSED;
    }
    this.options.log('ERROR', 'request failed outside the routes', { route, error: describeError(err) });
    if (!res.headersSent && !res.destroyed) {
      const body = JSON.stringify({ error: 'internal error' });
      res.writeHead(500, {
        'content-type': 'application/json',
        ...EVERY_ANSWER,
        'content-length': Buffer.byteLength(body),
        connection: 'close',
      });
      res.end(body);
    } else {
      res.destroy();
    }
    return 500;
  }

  private async dispatch(req: HttpRequest): Promise<HttpResponse> {
    if (req.path === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) return this.ping();
    if (req.path === '/metrics' && req.method === 'GET') {
      return { status: 200, headers: { 'content-type': this.options.metrics.contentType }, body: await this.options.metrics.text() };
    }
    const repositoryRoute = await modelRepositoryRoute(req, this.models, this.options.repository);
    if (repositoryRoute) return repositoryRoute;
    if (req.path === '/invocations' && req.method === 'POST') {
      // SageMaker's multi-model contract: the header names the model, a repository's loaded on first use.
      const model = targetModelOf(req.headers) ?? this.defaultModel();
      // The index read before the route is picked: a repository model's domain route takes an image even as the first request.
      if (model !== undefined && !this.models.has(model)) await this.options.repository?.lookup(model).catch(() => undefined);
      const target = invocationRequest(req, model, (m) => this.hasPipeline(m), [...this.models.keys()]);
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
      // Unloaded on request (Triton's unload): not loading, and not the health check's concern.
      if (loader.isLoaded || !loader.eager || loader.unloaded) continue;
      // The same redaction as a model route's 503: this route is open to anyone who can connect.
      waiting[model.name] = loader.failure === undefined ? 'loading' : redactInternals(loader.failure);
    }
    if (Object.keys(waiting).length > 0) return jsonResponse(503, { status: 'loading', models: waiting });
    return jsonResponse(200, { status: 'healthy' });
  }

  /** The addressed model's own limit (what its route would refuse anyway), else the largest. */
  private bodyLimit(model: string | undefined): number {
    if (model === undefined) return this.options.maxBodyBytes;
    const limits = this.models.get(model)?.limits ?? this.options.repository?.limits;
    return limits?.maxBodyBytes ?? this.options.maxBodyBytes;
  }

  private hasPipeline(model: string): boolean {
    const served = this.models.get(model);
    return served ? served.pipeline !== undefined : this.options.repository?.pipeline !== undefined && this.isRepositoryModel(model);
  }

  /** A model the repository's index lists (the index read last): not a configured one. */
  private isRepositoryModel(model: string): boolean {
    return !this.models.has(model) && this.options.repository?.lists(model) === true;
  }

  /** What is refused before the body is read, so it costs no upload: a missing or wrong key, headers not to guess at. */
  private admit(path: string, req: IncomingMessage): void {
    this.options.apiKeys?.check(path, req.rawHeaders);
    checkRequestHeaders(req.rawHeaders);
  }

  /** Whether to ask for the body: not when its declared length, its missing key or the request itself is refused before reading it. */
  private mayContinue(req: IncomingMessage): boolean {
    try {
      const { path } = parseRequestTarget(req.url);
      const { model } = this.classify(path);
      this.admit(path, req);
      const declared = declaredLength(req);
      return declared === undefined || declared <= this.bodyLimit(model);
    } catch {
      return false;
    }
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
    const repository = modelRepositoryRouteName(path);
    if (repository) return { route: repository };
    // The Router's route names (the route table's), never raw paths, as metric labels.
    const match = matchRoute(path);
    if (!match) return { route: 'unmatched' };
    const name = match.params.model;
    // Only a served model's name becomes a label, never whatever a caller typed.
    const known = name !== undefined && (this.models.has(name) || this.isRepositoryModel(name));
    return { route: match.name, model: known ? name : undefined };
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
