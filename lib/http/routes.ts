import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError, toPublicError } from '../errors';
import { HEADER_LENGTH } from '../protocol/binaryTensor';
import { readInferBody } from '../protocol/inferBody';
import type { ModelService } from '../service/ModelService';
import { jsonResponse, mediaType, type HttpRequest, type HttpResponse } from './HttpTypes';
import { SERVER_INFO } from './serverInfo';

type Handler = (req: HttpRequest, params: Record<string, string>) => Promise<HttpResponse>;
interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

export interface RouterOptions {
  /** Logs 5xx causes; the caller sees only a generic message for unexpected errors. */
  onError?: (err: unknown, req: HttpRequest) => void;
}

/**
 * The HTTP surface: OIP v2 server and model routes, plus each model's domain route.
 * Paths match at their end, so a stage prefix (`/prod/v2/...`) needs no configuration.
 */
export class Router {
  private readonly routes: Route[];
  private readonly models: ReadonlyMap<string, ModelService>;

  constructor(services: readonly ModelService[], private readonly options: RouterOptions = {}) {
    this.models = new Map(services.map((s) => [s.name, s]));
    this.routes = [
      { pattern: /\/v2\/?$/, methods: { GET: async () => jsonResponse(200, SERVER_INFO) } },
      { pattern: /\/v2\/health\/live$/, methods: { GET: async () => jsonResponse(200, { live: true }) } },
      { pattern: /\/v2\/health\/ready$/, methods: { GET: () => this.serverReady() } },
      { pattern: /\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?$/, methods: { GET: (_r, p) => this.metadata(p) } },
      { pattern: /\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/ready$/, methods: { GET: (_r, p) => this.modelReady(p) } },
      { pattern: /\/v2\/models\/([^/]+)(?:\/versions\/[^/]+)?\/infer$/, methods: { POST: (r, p) => this.infer(r, p) } },
      { pattern: /\/models\/([^/]+)\/predict$/, methods: { POST: (r, p) => this.predict(r, p) } },
    ];
  }

  async handle(req: HttpRequest): Promise<HttpResponse> {
    try {
      return await this.dispatch(req);
    } catch (err) {
      const { status, message, headers } = toPublicError(err);
      if (status >= 500) this.options.onError?.(err, req);
      return jsonResponse(status, { error: message }, headers);
    }
  }

  private async dispatch(req: HttpRequest): Promise<HttpResponse> {
    for (const route of this.routes) {
      const match = route.pattern.exec(req.path);
      if (!match) continue;
      const handler = route.methods[req.method.toUpperCase()];
      if (!handler) throw new MethodNotAllowedError(req.method, req.path, Object.keys(route.methods));
      return handler(req, { model: decodeURIComponent(match[1] ?? '') });
    }
    throw new NotFoundError(`no route for ${req.method} ${req.path}`);
  }

  private service(name: string | undefined): ModelService {
    const service = name === undefined ? undefined : this.models.get(name);
    if (!service) {
      throw new NotFoundError(`unknown model '${name}'; served here: ${[...this.models.keys()].join(', ') || 'none'}`);
    }
    return service;
  }

  private async serverReady(): Promise<HttpResponse> {
    await Promise.all([...this.models.values()].map((s) => s.load()));
    return jsonResponse(200, { ready: true });
  }

  private async metadata(p: Record<string, string>): Promise<HttpResponse> {
    return jsonResponse(200, await this.service(p.model).metadata());
  }

  private async modelReady(p: Record<string, string>): Promise<HttpResponse> {
    const service = this.service(p.model);
    await service.load();
    return jsonResponse(200, { name: service.name, ready: true });
  }

  private async infer(req: HttpRequest, p: Record<string, string>): Promise<HttpResponse> {
    const service = this.service(p.model);
    checkBodySize(req.body.length, service.limits.maxBodyBytes);
    const { request, binary } = readInferBody(req.body, mediaType(req.headers), req.headers[HEADER_LENGTH]);
    const encoded = await service.infer(request, binary);
    if (!encoded.binary) return { status: 200, headers: { 'content-type': 'application/json' }, body: encoded.json };
    const header = Buffer.from(encoded.json, 'utf8');
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(header.length) },
      body: Buffer.concat([header, ...encoded.binary]),
    };
  }

  private async predict(req: HttpRequest, p: Record<string, string>): Promise<HttpResponse> {
    const service = this.service(p.model);
    checkBodySize(req.body.length, service.limits.maxBodyBytes);
    const result = await service.predict({ contentType: mediaType(req.headers), body: req.body, query: req.query });
    return jsonResponse(200, result);
  }
}

export function checkBodySize(length: number, max: number): void {
  if (length > max) throw new PayloadTooLargeError(`request body is ${length} bytes, over the limit of ${max} bytes`);
}
