import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError, toPublicError } from '../errors';
import { RequestObservation } from '../observability/RequestObservation';
import { NO_SINK } from '../observability/sinks';
import { ROUTES, type ObservabilitySink, type RouteName } from '../observability/records';
import { serverTimingHeader } from '../observability/serverTiming';
import { HEADER_LENGTH } from '../protocol/binaryTensor';
import type { Deadline } from '../inference/Deadline';
import { noDomainRoute } from '../inference/errors';
import type { CallContext, Endpoint } from '../inference/Endpoint';
import { decodeRequestBody } from './contentEncoding';
import { jsonResponse, mediaType, type HttpRequest, type HttpResponse } from './HttpTypes';
import { clip } from '../protocol/names';
import { ROUTE_TABLE, matchRoute, type ModelRoutesInfo } from './routeTable';
import { SERVER_INFO } from './serverInfo';
import type { AsyncJobs } from '../jobs/AsyncJobs';
import { prefersRespondAsync } from '../jobs/prefer';

type Handler = (req: HttpRequest, params: Record<string, string>, call: RouteCall) => Promise<HttpResponse>;

/** A route handler's view of the request in flight. */
interface RouteCall extends CallContext {
  observation: RequestObservation;
}

export interface RouterOptions {
  /** Receives one record per request (and the adapters pass the same sink to the loaders). */
  sink?: ObservabilitySink;
  /** The OpenAPI document served at GET /openapi.json; without it that route is a 404. */
  openApi?: () => string | undefined;
  /**
   * Models of the same deployment answered by other functions (what the server function knows,
   * from ONNXLESS_MODEL_CATALOG): the deployed API sends it every request no route matches, and
   * it answers those with the same 404 a model's own function would give.
   */
  elsewhere?: Readonly<Record<string, ModelRoutesInfo>>;
  /**
   * The browser pages (/docs, /playground, /web/{asset}), built from the OpenAPI document: given
   * only where that document is (the server function, `serve`), so no model function carries them.
   */
  pages?: BrowserPages;
  /**
   * Asynchronous requests (lib/core/jobs): with them, `Prefer: respond-async` on predict and infer
   * answers 202 and a job; without, the preference is ignored (RFC 7240 allows it) and the job
   * route is a 404.
   */
  jobs?: AsyncJobs;
}

/** What lib/core/pages gives the Router: the two pages of a document, and their files. */
export interface BrowserPages {
  page(name: 'docs' | 'playground', req: HttpRequest, document: string): HttpResponse;
  asset(name: string): Promise<HttpResponse>;
}

/** What the transport knows about a request beyond HTTP: who it is, and when it must end. */
export interface RequestContext {
  requestId?: string;
  /** First request of this sandbox or process. */
  coldStart?: boolean;
  deadline?: Deadline;
  /** How the request's model runs reach the session, when not directly (CallContext.runnerView). */
  runnerView?: CallContext['runnerView'];
}

/**
 * The HTTP surface: OIP v2 server and model routes, plus each model's domain route.
 * Paths match whole (routeTable.ts's matchRoute); a named stage's prefix is the adapter's to take off.
 * Every request, answered or failed, yields one record to the sink and a `Server-Timing` header.
 */
export class Router {
  /** Each template's handlers by method. */
  private readonly methods: ReadonlyMap<string, Readonly<Record<string, Handler>>>;
  private readonly models: ReadonlyMap<string, Endpoint>;
  private readonly sink: ObservabilitySink;
  private readonly elsewhere: Readonly<Record<string, ModelRoutesInfo>>;
  private readonly jobs: AsyncJobs | undefined;

  constructor(services: readonly Endpoint[], options: RouterOptions = {}) {
    this.models = new Map(services.map((s) => [s.name, s]));
    this.sink = options.sink ?? NO_SINK;
    this.elsewhere = options.elsewhere ?? {};
    this.jobs = options.jobs;
    const handlers: Record<RouteName, Handler> = {
      [ROUTES.server]: async () => jsonResponse(200, SERVER_INFO),
      [ROUTES.live]: async () => jsonResponse(200, { live: true }),
      [ROUTES.serverReady]: (_r, _p, c) => this.serverReady(c),
      [ROUTES.openapi]: async () => this.openApiDocument(options.openApi),
      [ROUTES.metadata]: (_r, p, c) => this.metadata(p, c),
      [ROUTES.modelReady]: (_r, p, c) => this.modelReady(p, c),
      [ROUTES.infer]: (r, p, c) => this.infer(r, p, c),
      [ROUTES.predict]: (r, p, c) => this.predict(r, p, c),
      [ROUTES.job]: (_r, p, c) => this.job(p, c),
      [ROUTES.docs]: async (r) => this.page('docs', r, options),
      [ROUTES.playground]: async (r) => this.page('playground', r, options),
      [ROUTES.webAsset]: (_r, p) => pagesOf(options).asset(p.asset ?? ''),
      [ROUTES.invoke]: unreachable,
      [ROUTES.unmatched]: unreachable,
    };
    // One entry per template: the table's methods on that path share it, so a method the path
    // does not take is a 405 naming the ones it does.
    const methods = new Map<string, Record<string, Handler>>();
    for (const spec of ROUTE_TABLE) {
      const entry = methods.get(spec.template) ?? {};
      entry[spec.method] = handlers[spec.name];
      methods.set(spec.template, entry);
    }
    this.methods = methods;
  }

  private page(name: 'docs' | 'playground', req: HttpRequest, options: RouterOptions): HttpResponse {
    const pages = pagesOf(options);
    const document = options.openApi?.();
    if (document === undefined) throw new NotFoundError(`no OpenAPI document is deployed with this function, so no /${name} page`);
    return pages.page(name, req, document);
  }

  private openApiDocument(provider: RouterOptions['openApi']): HttpResponse {
    const document = provider?.();
    if (document === undefined) throw new NotFoundError('no OpenAPI document is deployed with this function');
    return { status: 200, headers: { 'content-type': 'application/json' }, body: document };
  }

  /** Starts the record of a request; adapters that answer before routing (a 413) finish it with `reject`. */
  observe(method: string, requestBytes: number, context: RequestContext = {}, route: RouteName = ROUTES.unmatched): RequestObservation {
    return new RequestObservation(this.sink, {
      method,
      route,
      requestBytes,
      requestId: context.requestId,
      coldStart: context.coldStart,
    });
  }

  async handle(req: HttpRequest, context: RequestContext = {}): Promise<HttpResponse> {
    const observation = this.observe(req.method, req.body.length, context);
    try {
      const res = await this.dispatch(req, {
        observation,
        timing: observation.timing,
        deadline: context.deadline,
        receivedAt: Date.now(),
        runnerView: context.runnerView,
      });
      return this.finish(observation, res);
    } catch (err) {
      return this.reject(observation, err);
    }
  }

  /** The error's public answer, recorded. 5xx causes go to the sink; the caller sees only what is safe. */
  reject(observation: RequestObservation, err: unknown): HttpResponse {
    const { status, message, headers } = toPublicError(err);
    return this.finish(observation, jsonResponse(status, { error: message }, headers), err);
  }

  private finish(observation: RequestObservation, res: HttpResponse, err?: unknown): HttpResponse {
    const bytes = Buffer.isBuffer(res.body) ? res.body.length : Buffer.byteLength(res.body, 'utf8');
    const record = observation.finish(res.status, bytes, err);
    return { ...res, headers: { ...res.headers, 'server-timing': serverTimingHeader(record.durations) } };
  }

  private async dispatch(req: HttpRequest, call: RouteCall): Promise<HttpResponse> {
    const route = matchRoute(req.path);
    if (!route) throw new NotFoundError(`no route for ${req.method} ${clip(req.path, 128)}; the routes are listed at /openapi.json`);
    call.observation.route = route.name;
    const methods = this.methods.get(route.template) ?? {};
    const handler = methods[req.method.toUpperCase()];
    if (!handler) throw new MethodNotAllowedError(req.method, req.path, Object.keys(methods));
    return handler(req, route.params, call);
  }

  private service(name: string | undefined, call: RouteCall, version?: string, route: RouteName = ROUTES.metadata): Endpoint {
    const service = name === undefined ? undefined : this.models.get(name);
    if (!service) throw this.notHere(name ?? '', version, route);
    // `/versions/{v}` addresses the one version this function serves; another is a 404, as in KServe.
    if (version !== undefined && version !== service.version)
      throw noVersion(service.name, version, service.version ? [service.version] : []);
    // Only a served model's name reaches logs and metric dimensions, never a caller's guess.
    call.observation.model = service.name;
    return service;
  }

  /** The 404 for a model this router does not serve: unknown, or served elsewhere but not on this path. */
  private notHere(name: string, version: string | undefined, route: RouteName): NotFoundError {
    const remote = Object.hasOwn(this.elsewhere, name) ? this.elsewhere[name] : undefined;
    if (remote && version !== undefined && !remote.versions.includes(version)) return noVersion(name, version, remote.versions);
    if (remote && route === ROUTES.predict && !remote.predict) return noDomainRoute(name);
    const served = [...this.models.keys(), ...Object.keys(this.elsewhere)];
    return new NotFoundError(`unknown model '${clip(name)}'; served here: ${served.join(', ') || 'none'}`);
  }

  private async serverReady(call: RouteCall): Promise<HttpResponse> {
    await Promise.all([...this.models.values()].map((s) => s.load(call)));
    return jsonResponse(200, { ready: true });
  }

  private async metadata(p: Record<string, string>, call: RouteCall): Promise<HttpResponse> {
    return jsonResponse(200, await this.service(p.model, call, p.version).metadata(call));
  }

  private async modelReady(p: Record<string, string>, call: RouteCall): Promise<HttpResponse> {
    const service = this.service(p.model, call, p.version);
    await service.load(call);
    return jsonResponse(200, { name: service.name, ready: true });
  }

  private async infer(received: HttpRequest, p: Record<string, string>, call: RouteCall): Promise<HttpResponse> {
    const service = this.service(p.model, call, p.version);
    checkBodySize(received.body.length, service.limits.maxBodyBytes);
    const req = await decodeRequestBody(received, service.limits.maxBodyBytes);
    if (this.jobs && prefersRespondAsync(req.headers)) return this.jobs.submit(req, service.name);
    const encoded = await service.inferBody(
      { body: req.body, contentType: mediaType(req.headers), headerLength: req.headers[HEADER_LENGTH] },
      call,
    );
    if (!encoded.binary) return { status: 200, headers: { 'content-type': 'application/json' }, body: encoded.json };
    const header = Buffer.from(encoded.json, 'utf8');
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(header.length) },
      body: Buffer.concat([header, ...encoded.binary]),
    };
  }

  private async predict(received: HttpRequest, p: Record<string, string>, call: RouteCall): Promise<HttpResponse> {
    const service = this.service(p.model, call, undefined, ROUTES.predict);
    checkBodySize(received.body.length, service.limits.maxBodyBytes);
    const req = await decodeRequestBody(received, service.limits.maxBodyBytes);
    if (this.jobs && prefersRespondAsync(req.headers)) return this.jobs.submit(req, service.name);
    const result = await service.predict({ contentType: mediaType(req.headers), body: req.body, query: req.query }, call);
    return jsonResponse(200, result);
  }

  private async job(p: Record<string, string>, call: RouteCall): Promise<HttpResponse> {
    const service = this.service(p.model, call, undefined, ROUTES.job);
    if (!this.jobs) throw new NotFoundError(`model '${service.name}' takes no asynchronous requests here, so it has no jobs`);
    return this.jobs.status(service.name, p.job ?? '');
  }
}

export function checkBodySize(length: number, max: number): void {
  if (length > max) throw new PayloadTooLargeError(`request body is ${length} bytes, over the limit of ${max} bytes`);
}

function pagesOf(options: RouterOptions): BrowserPages {
  if (!options.pages) throw new NotFoundError('the browser pages are served by the server function: open /docs or /playground on the API');
  return options.pages;
}

function unreachable(): never {
  throw new Error('not an HTTP route');
}

function noVersion(model: string, version: string, versions: readonly string[]): NotFoundError {
  return new NotFoundError(`model '${model}' has no version '${clip(version)}'; versions: ${versions.join(', ') || 'none listed'}`);
}
