import { ROUTE_TABLE, routeParams } from '../../lib/core/http/routeTable';
import type { RouteName } from '../../lib/core/observability/records';
import type { WireRequest, WireResponse } from './rawHttp';

/**
 * Every route's path sent under every other route's prefix (`/web/openapi.json`,
 * `/v2/models/tiny/v2/health/ready`, ...), with the route each must land on: the one template
 * that matches the whole path, segment by segment, or none (a 404). Worked out here without the
 * route matcher under test, so a matcher that matches a template at the end of a path (the fault
 * of issue 27, item 5) disagrees.
 */
export interface CrossPrefixCase {
  request: WireRequest;
  /** The route of the whole path; undefined: no route. */
  route?: RouteName;
  params: Record<string, string>;
  /** The whole path's template takes this method (else a 405). */
  methodAllowed: boolean;
}

/** Parameter values the concrete paths use: a served model, its version, a page file. */
export interface SampleParams {
  model: string;
  version: string;
  predictModel: string;
  asset: string;
}

export function crossPrefixCases(sample: SampleParams): CrossPrefixCase[] {
  const concrete = ROUTE_TABLE.map((spec) => ({ method: spec.method, path: fill(spec.template, spec.name, sample) }));
  // A route's own path, and each of its templates' leading parts up to a parameter (`/web/`,
  // `/v2/models/`, `/v2/models/tiny/versions/`): what another path may be put under.
  const prefixes = new Set<string>(concrete.map((c) => c.path));
  for (const spec of ROUTE_TABLE) {
    for (const param of spec.template.matchAll(/\{[a-z]+\}/g)) prefixes.add(fill(spec.template.slice(0, param.index), spec.name, sample));
  }
  const cases: CrossPrefixCase[] = [];
  const seen = new Set<string>();
  for (const prefix of prefixes) {
    for (const { method, path } of concrete) {
      const whole = `${prefix.replace(/\/$/, '')}${path}`;
      const key = `${method} ${whole}`;
      if (whole === path || seen.has(key)) continue;
      seen.add(key);
      cases.push({ request: { method, path: whole, headers: {} }, ...referenceRoute(method, whole) });
    }
  }
  return cases;
}

/** The answer a case must get: the status, and an error naming the route it reached (or none). */
export function crossPrefixProblem(c: CrossPrefixCase, res: WireResponse): string | undefined {
  const text = res.body.toString('utf8');
  const expected = expectedAnswer(c);
  if (res.status !== expected.status) return `status ${res.status}, expected ${expected.status}: ${text.slice(0, 200)}`;
  let error: unknown;
  try {
    error = (JSON.parse(text) as { error?: unknown }).error;
  } catch {
    return `not a JSON error: ${text.slice(0, 200)}`;
  }
  return typeof error === 'string' && expected.error.test(error) ? undefined : `error ${JSON.stringify(error)}, expected ${expected.error}`;
}

function expectedAnswer(c: CrossPrefixCase): { status: number; error: RegExp } {
  if (c.route === undefined) return { status: 404, error: /^no route for / };
  if (!c.methodAllowed) return { status: 405, error: /method/i };
  if (c.route === '/web/{asset}') return { status: 404, error: /^no page file / };
  // A job of a served model (`/models/tiny/jobs/v2`): these deployments take no asynchronous
  // requests, so the model has no jobs (or, deployed, the route is not there: no such model here).
  if (c.route === '/models/{model}/jobs/{job}') return { status: 404, error: /takes no asynchronous requests|unknown model/ };
  // A model route whose {model} is another route's segment (`/v2/models/v2`): no such model.
  if (c.params.model !== undefined) return { status: 404, error: /unknown model|has no version/ };
  throw new Error(`${c.request.method} ${c.request.path} reaches ${c.route}, which answers 200: choose other sample parameters`);
}

/** The route whose template matches the whole path segment by segment, each parameter one non-empty segment. */
function referenceRoute(method: string, path: string): Pick<CrossPrefixCase, 'route' | 'params' | 'methodAllowed'> {
  const segments = path.split('/');
  for (const spec of ROUTE_TABLE) {
    const parts = spec.template.split('/');
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = parts.every((part, i) => {
      const segment = segments[i] as string;
      const param = /^\{([a-z]+)\}$/.exec(part)?.[1];
      if (param === undefined) return part === segment;
      params[param] = segment;
      return segment !== '';
    });
    if (!matches) continue;
    const methodAllowed = ROUTE_TABLE.some((r) => r.template === spec.template && r.method === method);
    return { route: spec.name, params, methodAllowed };
  }
  return { params: {}, methodAllowed: false };
}

function fill(template: string, name: RouteName, sample: SampleParams): string {
  const model = name === '/models/{model}/predict' ? sample.predictModel : sample.model;
  const values: Record<string, string> = { model, version: sample.version, asset: sample.asset };
  return routeParams(template).reduce((path, param) => path.replace(`{${param}}`, values[param] ?? param), template);
}
