import { ROUTES, type RouteName } from '../observability/records';

/**
 * The one route table. The Router dispatches by it (Lambda handlers, the local stack, `serve`),
 * and the deploy plan turns it into the HTTP API's routes, so the three ways of serving cannot
 * disagree on which paths exist. Templates name `{model}` and `{version}`; a version route exists
 * only for a version the registry lists.
 */
export type HttpMethod = 'GET' | 'POST';

export interface RouteSpec {
  /** The record's route name (a template without the version part: one metric series per route). */
  name: RouteName;
  method: HttpMethod;
  template: string;
  /**
   * Who answers it when deployed: the server function, or the model's own function. `page`: a
   * browser page or its file, answered by the server function and deployed without an
   * authorizer, so a browser (which cannot sign SigV4) can open it under `auth: iam`.
   */
  scope: 'server' | 'model' | 'domain' | 'page' | 'jobs';
}

const route = (name: RouteName, method: HttpMethod, template: string, scope: RouteSpec['scope']): RouteSpec =>
  Object.freeze({ name, method, template, scope });

export const ROUTE_TABLE: readonly RouteSpec[] = Object.freeze([
  route(ROUTES.server, 'GET', '/v2', 'server'),
  route(ROUTES.live, 'GET', '/v2/health/live', 'server'),
  route(ROUTES.serverReady, 'GET', '/v2/health/ready', 'server'),
  route(ROUTES.openapi, 'GET', '/openapi.json', 'server'),
  route(ROUTES.metadata, 'GET', '/v2/models/{model}', 'model'),
  route(ROUTES.metadata, 'GET', '/v2/models/{model}/versions/{version}', 'model'),
  route(ROUTES.modelReady, 'GET', '/v2/models/{model}/ready', 'model'),
  route(ROUTES.modelReady, 'GET', '/v2/models/{model}/versions/{version}/ready', 'model'),
  route(ROUTES.infer, 'POST', '/v2/models/{model}/infer', 'model'),
  route(ROUTES.infer, 'POST', '/v2/models/{model}/versions/{version}/infer', 'model'),
  route(ROUTES.predict, 'POST', '/models/{model}/predict', 'domain'),
  route(ROUTES.job, 'GET', '/models/{model}/jobs/{job}', 'jobs'),
  route(ROUTES.docs, 'GET', '/docs', 'page'),
  route(ROUTES.playground, 'GET', '/playground', 'page'),
  route(ROUTES.webAsset, 'GET', '/web/{asset}', 'page'),
]);

/** What the route table needs to know of one model to list its routes. */
export interface ModelRoutesInfo {
  versions: readonly string[];
  /** Has a domain route (`POST /models/{model}/predict`): a model with its own handler. */
  predict: boolean;
  /** Takes asynchronous requests (`Prefer: respond-async`): its jobs' status route (lib/core/jobs). */
  jobs?: boolean;
}

export interface ConcreteRoute {
  method: HttpMethod;
  path: string;
}

/** The server function's routes. */
export function serverRoutes(): ConcreteRoute[] {
  return ROUTE_TABLE.filter((r) => r.scope === 'server').map(({ method, template }) => ({ method, path: template }));
}

/** The browser pages and their files: the server function answers them, open to a browser. */
export function pageRoutes(): ConcreteRoute[] {
  return ROUTE_TABLE.filter((r) => r.scope === 'page').map(({ method, template }) => ({ method, path: template }));
}

/** One model's routes, each version route once per listed version. */
export function modelRoutes(model: string, info: ModelRoutesInfo): ConcreteRoute[] {
  const out: ConcreteRoute[] = [];
  for (const spec of ROUTE_TABLE) {
    if (spec.scope === 'server' || spec.scope === 'page' || (spec.scope === 'domain' && !info.predict)) continue;
    if (spec.scope === 'jobs' && !info.jobs) continue;
    const path = spec.template.replace('{model}', model);
    if (!path.includes('{version}')) out.push({ method: spec.method, path });
    else for (const version of info.versions) out.push({ method: spec.method, path: path.replace('{version}', version) });
  }
  return out;
}

/** Every route of a deployment: the server's, then each model's. */
export function allRoutes(models: Readonly<Record<string, ModelRoutesInfo>>): ConcreteRoute[] {
  return [...serverRoutes(), ...Object.entries(models).flatMap(([name, info]) => modelRoutes(name, info))];
}

/** A path's route in the table, and its parameters (`{model}`...), decoded. */
export interface RouteMatch {
  readonly name: RouteName;
  readonly template: string;
  readonly params: Readonly<Record<string, string>>;
}

/** Each template once, in the table's order, compiled: the methods of one path share it. */
const TEMPLATES = [...new Map(ROUTE_TABLE.map((r) => [r.template, r.name])).entries()].map(([template, name]) => ({
  template,
  name,
  pattern: routePattern(template),
  params: routeParams(template),
}));

/**
 * The route of a path: the template matching the whole path, undefined for none. Never a
 * template at its end: `/web/openapi.json` is the page file `openapi.json`, never the document
 * (`/web/{asset}` is deployed without an authorizer), and `/x/v2/models/m/infer` is no route. A
 * named stage's prefix is taken off by the adapter that knows it (apiGatewayV2.ts).
 */
export function matchRoute(path: string): RouteMatch | undefined {
  if (last?.path !== path) last = { path, match: findRoute(path) };
  return last.match;
}

/**
 * The last path matched and its match, frozen: a function serves one model, so its requests
 * come on a handful of paths, mostly the same one, and trying the templates in turn was a
 * microsecond or two of every warm call (docs/benchmarks.md, "Figures behind the code").
 */
let last: { path: string; match: RouteMatch | undefined } | undefined;

function findRoute(path: string): RouteMatch | undefined {
  for (const route of TEMPLATES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => (params[name] = safeDecode(match[i + 1] ?? '')));
    return Object.freeze({ name: route.name, template: route.template, params: Object.freeze(params) });
  }
  return undefined;
}

/**
 * A template as a pattern of the whole path; each `{name}` (`{model}`, `{version}`, `{asset}`)
 * captures one non-empty segment, in order.
 */
export function routePattern(template: string): RegExp {
  const source = template
    .split(/(\{[a-z]+\})/)
    .map((part) => (/^\{[a-z]+\}$/.test(part) ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** The names of a template's parameters, in the order `routePattern` captures them. */
export function routeParams(template: string): string[] {
  return [...template.matchAll(/\{([a-z]+)\}/g)].map((m) => m[1] as string);
}

/**
 * The version a registry entry serves: `onnxless push` writes the model directory
 * `<model>/<version>/` (older entries name `<model>/<version>/model.onnx`), so that folder, when
 * it is a number, is the version OIP reports.
 */
export function versionOfWeights(weights: string): string | undefined {
  return /\/(\d+)\/[^/]*$/.exec(weights)?.[1];
}

/** `%E0%A4%A` in a path is the caller's mistake (a 404 for that name), not a URIError and a 500. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
