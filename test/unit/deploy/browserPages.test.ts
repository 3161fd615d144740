import { describe, expect, it } from 'vitest';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { PLAN_CONTEXT } from './planContext';
import { parseRegistry } from '../../../lib/core/registry/index';

const ctx = PLAN_CONTEXT;

/** The server function's routes: `METHOD path -> authorizer type (none when open)`. */
function serverRoutes(api: Record<string, unknown> | undefined): string[] {
  const registry = parseRegistry({
    bucket: { name: 'models-dev' },
    ...(api ? { api } : {}),
    models: { tiny: { weights: 's3://models-dev/tiny/1/' } },
  });
  const server = planDeployment(registry, ctx).functions.server!;
  return (server.events as Array<{ httpApi: { method: string; path: string; authorizer?: { type: string } } }>).map(
    ({ httpApi: { method, path, authorizer } }) => `${method} ${path} -> ${authorizer?.type ?? 'none'}`,
  );
}

describe('registry: api.pages', () => {
  it('opens /docs, /playground and their files to a browser by default, and nothing else', () => {
    const open = serverRoutes(undefined).filter((r) => r.endsWith('-> none'));
    expect(open.sort()).toEqual(['GET /docs -> none', 'GET /playground -> none', 'GET /web/{asset} -> none']);
  });

  it('with pages: false, deploys no open route: the pages fall to $default behind the API authorizer', () => {
    const routes = serverRoutes({ pages: false });
    expect(routes.filter((r) => r.endsWith('-> none'))).toEqual([]);
    expect(routes).toContain('* * -> aws_iam');
  });
});
