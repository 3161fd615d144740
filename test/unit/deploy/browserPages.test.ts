import { describe, expect, it } from 'vitest';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { PLAN_CONTEXT } from './planContext';
import { parseRegistry } from '../../../lib/core/registry/index';

const ctx = PLAN_CONTEXT;

/** The server function's routes: `METHOD path -> authorizer type (none when open)`. */
function serverRoutes(api: Record<string, unknown> | undefined, auth?: string): string[] {
  const registry = parseRegistry({
    bucket: { name: 'models-dev' },
    ...(api ? { api } : {}),
    ...(auth ? { auth } : {}),
    models: { tiny: { weights: 's3://models-dev/tiny/1/' } },
  });
  const server = planDeployment(registry, ctx).functions.server!;
  return (server.events as Array<{ httpApi: { method: string; path: string; authorizer?: { type: string } } }>).map(
    ({ httpApi: { method, path, authorizer } }) => `${method} ${path} -> ${authorizer?.type ?? 'none'}`,
  );
}

describe('registry: api.pages', () => {
  const PAGES_OPEN = ['GET /docs -> none', 'GET /playground -> none', 'GET /web/{asset} -> none'];

  it('deploys no open route under IAM by default: the pages, which describe the models, fall to $default behind its authorizer', () => {
    const routes = serverRoutes(undefined);
    expect(routes.filter((r) => r.endsWith('-> none'))).toEqual([]);
    expect(routes).toContain('* * -> aws_iam');
    expect(serverRoutes({ pages: false })).toEqual(routes);
  });

  it('opens /docs, /playground and their files to a browser, and nothing else, with pages: true', () => {
    expect(
      serverRoutes({ pages: true })
        .filter((r) => r.endsWith('-> none'))
        .sort(),
    ).toEqual(PAGES_OPEN);
  });

  it('opens them by default under auth: none, where every route is open', () => {
    expect(
      serverRoutes(undefined, 'none')
        .filter((r) => PAGES_OPEN.includes(r))
        .sort(),
    ).toEqual(PAGES_OPEN);
    expect(serverRoutes({ pages: false }, 'none').filter((r) => PAGES_OPEN.includes(r))).toEqual([]);
  });
});
