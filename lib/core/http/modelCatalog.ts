import type { ModelRoutesInfo } from './routeTable';

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
