import { RepositoryRouter, type RepositoryEndpoints } from '../core/http/RepositoryRouter';
import type { HttpRequest, HttpResponse } from '../core/http/HttpTypes';
import { matchRoute } from '../core/http/routeTable';
import { Router, type RequestContext, type RouterOptions } from '../core/http/routes';
import type { Endpoint } from '../core/inference/Endpoint';

/**
 * serve's routes: the configured models and pipelines by their names, and, with a repository,
 * every other model name looked up in the repository's index (RepositoryRouter, as a repository
 * function routes it). A configured name wins over the same name in the index, as a single
 * model's literal route wins over the repository function's path variable on API Gateway.
 */
export class ServeRouter extends Router {
  private readonly served: ReadonlySet<string>;
  private readonly repository?: RepositoryRouter;

  constructor(services: readonly Endpoint[], options: RouterOptions = {}, repository?: RepositoryEndpoints) {
    super(services, options);
    this.served = new Set(services.map((s) => s.name));
    if (repository) this.repository = new RepositoryRouter(repository, options);
  }

  override handle(req: HttpRequest, context: RequestContext = {}): Promise<HttpResponse> {
    const model = this.repository ? matchRoute(req.path)?.params.model : undefined;
    if (model !== undefined && !this.served.has(model)) return this.repository!.handle(req, context);
    return super.handle(req, context);
  }
}
