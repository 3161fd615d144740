import { NotFoundError } from '../errors';
import type { Endpoint } from '../inference/Endpoint';
import { clip } from '../protocol/names';
import type { HttpRequest, HttpResponse } from './HttpTypes';
import { matchRoute } from './routeTable';
import { Router, type RequestContext, type RouterOptions } from './routes';

/** What the router needs of a repository (ModelRepository): the endpoint of a model the index lists now. */
export interface RepositoryEndpoints {
  readonly name: string;
  endpoint(model: string): Promise<Endpoint | undefined>;
}

/**
 * The routes of a function serving a model repository: the same route table and answers as a
 * single-model function, the model named by the path found in the repository's index at request
 * time (ModelRepository.endpoint) instead of fixed at start. A name the index does not list is a
 * 404; the server routes (`/v2`, health) answer as any function's.
 */
export class RepositoryRouter extends Router {
  private readonly routers = new WeakMap<Endpoint, Router>();

  constructor(
    private readonly repository: RepositoryEndpoints,
    private readonly options: RouterOptions = {},
  ) {
    super([], options);
  }

  override async handle(req: HttpRequest, context: RequestContext = {}): Promise<HttpResponse> {
    const model = matchRoute(req.path)?.params.model;
    if (model === undefined) return super.handle(req, context);
    let endpoint: Endpoint | undefined;
    try {
      endpoint = await this.repository.endpoint(model);
    } catch (err) {
      // The index could not be read: recorded as this request, answered as the error says (a 503).
      return this.reject(this.observe(req.method, req.body.length, context), err);
    }
    if (!endpoint) {
      const err = new NotFoundError(`unknown model '${clip(model)}': repository '${this.repository.name}' does not list it`);
      return this.reject(this.observe(req.method, req.body.length, context), err);
    }
    // A router of this one model: the route table's answers, version checks and records as any
    // function gives them; made once per endpoint (the repository keeps one per index entry).
    let router = this.routers.get(endpoint);
    if (!router) this.routers.set(endpoint, (router = new Router([endpoint], this.options)));
    return router.handle(req, context);
  }
}
