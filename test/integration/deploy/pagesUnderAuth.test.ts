import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routePattern } from '../../../lib/core/http/routeTable';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { openApiJson } from '../../../lib/core/openapi/index';
import { parseRegistry } from '../../../lib/core/registry/index';
import { createServerHandler } from '../../../lib/lambda/createServerHandler';
import type { HttpApiEvent } from '../../../lib/tools/deploy/DeploymentPlan';
import { OPENAPI_FILE } from '../../../lib/tools/deploy/defaults';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { httpApiEvent, type Result } from '../../support/httpApiEvent';
import { tempDir } from '../../support/testHandler';
import { PLAN_CONTEXT } from '../../unit/deploy/planContext';

/**
 * Issue 27, item 6: behind IAM or a JWT, the deployed API shows nobody its models unasked. The
 * browser pages carry the OpenAPI document (model names, routes, versions, region), so they are
 * deployed without an authorizer only under `auth: none` or where `api.pages: true` says so.
 * Each page and page file is sent unsigned through the HTTP API the plan deploys (a route with an
 * authorizer answers 403 before any function runs, as API Gateway does) to the server function
 * with the document the plugin writes: no answer names a model.
 */
const MODELS = {
  'secret-classifier': { weights: 's3://models-dev/secret-classifier/3/' },
  'hidden-reader': { weights: 's3://models-dev/hidden-reader/1/' },
};
const NAMES = Object.keys(MODELS);
const JWT = { type: 'jwt', issuer: 'https://issuer.example.com', audience: 'api' };
const PAGE_PATHS = ['/docs', '/playground', '/web/docs.js', '/web/playground.js', '/web/pages.css', '/openapi.json'];

type Gateway = (path: string) => Promise<{ status: number; body: string }>;

/** The deployed HTTP API of a registry, unsigned requests only. */
function deployedApi(raw: Record<string, unknown>): Gateway {
  const registry = parseRegistry({ bucket: { name: 'models-dev' }, ...raw, models: MODELS });
  const plan = planDeployment(registry, PLAN_CONTEXT);
  const root = tempDir();
  const documentFile = join(root, OPENAPI_FILE);
  mkdirSync(dirname(documentFile), { recursive: true });
  writeFileSync(documentFile, openApiJson(registry, { pipelines: {}, undeclared: 'open' }));
  const serverConfig = plan.functions.server!;
  const server = createServerHandler({
    sink: NO_SINK,
    env: { ...serverConfig.environment, LAMBDA_TASK_ROOT: root, AWS_REGION: 'eu-west-3' },
  });
  const routes = Object.entries(plan.functions).flatMap(([fn, config]) =>
    (config.events as HttpApiEvent[]).map(({ httpApi }) => ({ fn, ...httpApi })),
  );
  return async (path) => {
    // API Gateway's choice: a route without parameters, then one with, then $default.
    const candidates = routes.filter((r) => (r.method === 'GET' || r.method === '*') && r.path !== '*' && routePattern(r.path).test(path));
    const route = candidates.find((r) => !r.path.includes('{')) ?? candidates[0] ?? routes.find((r) => r.path === '*');
    if (!route) return { status: 404, body: '{"message":"Not Found"}' };
    if (route.authorizer) return { status: 403, body: '{"message":"Forbidden"}' };
    expect(route.fn).toBe('server');
    const res = (await server(httpApiEvent('GET', path))) as Result;
    return { status: res.statusCode, body: res.isBase64Encoded ? Buffer.from(res.body, 'base64').toString('utf8') : res.body };
  };
}

async function answers(api: Gateway): Promise<Record<string, { status: number; names: string[] }>> {
  const out: Record<string, { status: number; names: string[] }> = {};
  for (const path of PAGE_PATHS) {
    const { status, body } = await api(path);
    out[path] = { status, names: NAMES.filter((name) => body.includes(name)) };
  }
  return out;
}

describe('the browser pages under auth', () => {
  it.each([
    ['iam (the default)', {}],
    ['iam', { auth: 'iam' }],
    ['jwt', { auth: JWT }],
  ])('shows no model to an unsigned browser under %s', async (_auth, raw) => {
    const seen = await answers(deployedApi(raw));
    for (const path of PAGE_PATHS) expect([path, seen[path]]).toEqual([path, { status: 403, names: [] }]);
  });

  it('opens the pages, with the models they describe, where the registry says api.pages: true', async () => {
    const seen = await answers(deployedApi({ auth: 'iam', api: { pages: true } }));
    expect(seen['/docs']).toEqual({ status: 200, names: NAMES });
    expect(seen['/playground']).toEqual({ status: 200, names: NAMES });
    expect(seen['/web/docs.js']?.status).toBe(200);
    // The document's own route keeps the authorizer: only the pages are open.
    expect(seen['/openapi.json']).toEqual({ status: 403, names: [] });
  });

  it('opens them under auth: none, where the API itself is open', async () => {
    const seen = await answers(deployedApi({ auth: 'none' }));
    expect(seen['/docs']).toEqual({ status: 200, names: NAMES });
    expect(seen['/openapi.json']).toEqual({ status: 200, names: NAMES });
  });
});
