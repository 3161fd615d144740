import { ROUTES } from '../observability/records';
import { matchRoute, type ModelRoutesInfo } from './routeTable';

/**
 * The deployment's models as the server function knows them, in one environment variable
 * (ONNXLESS_MODEL_CATALOG): `name[@version...][+predict]`, comma-separated, e.g.
 * `tiny@1,text-orientation@1+predict`. Compact on purpose: Lambda allows 4 KB of environment per
 * function, which this form stretches to well over a hundred models.
 */
export function formatCatalog(models: Readonly<Record<string, ModelRoutesInfo>>): string {
  return Object.entries(models)
    .map(([name, info]) => `${name}${info.versions.map((v) => `@${v}`).join('')}${info.predict ? '+predict' : ''}`)
    .join(',');
}

export function parseCatalog(text: string | undefined): Record<string, ModelRoutesInfo> {
  const models: Array<[string, ModelRoutesInfo]> = [];
  for (const item of (text ?? '').split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const predict = entry.endsWith('+predict');
    const [name, ...versions] = (predict ? entry.slice(0, -'+predict'.length) : entry).split('@');
    if (name) models.push([name, { versions, predict }]);
  }
  // Own keys, whatever the names: the Router reads them with Object.hasOwn.
  return Object.fromEntries(models);
}

/**
 * The catalog of a deployment too large for the environment variable, from the OpenAPI document
 * its server function ships (lib/core/openapi lists every model's routes at literal paths, from
 * the same route table): a model per `{model}` a path names, its versions from the version routes,
 * `predict` where it has a domain route. A document that is not JSON lists no model.
 */
export function catalogFromOpenApi(document: string | undefined): Record<string, ModelRoutesInfo> {
  let paths: Record<string, unknown>;
  try {
    paths = ((JSON.parse(document ?? '{}') as { paths?: Record<string, unknown> }).paths ?? {}) as Record<string, unknown>;
  } catch {
    return {};
  }
  const models = new Map<string, { versions: Set<string>; predict: boolean }>();
  for (const path of Object.keys(paths)) {
    const route = matchRoute(path);
    const name = route?.params.model;
    if (!route || name === undefined) continue;
    const info = models.get(name) ?? { versions: new Set<string>(), predict: false };
    if (route.params.version !== undefined) info.versions.add(route.params.version);
    if (route.name === ROUTES.predict) info.predict = true;
    models.set(name, info);
  }
  return Object.fromEntries([...models].map(([name, info]) => [name, { versions: [...info.versions], predict: info.predict }]));
}
