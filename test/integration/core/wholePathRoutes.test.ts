import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchRoute } from '../../../lib/core/http/routeTable';
import { createServerHandler } from '../../../lib/lambda/createServerHandler';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { crossPrefixCases, crossPrefixProblem, type SampleParams } from '../../contract/crossPrefix';
import { sendRaw, type WireRequest, type WireResponse } from '../../contract/rawHttp';
import { deployedApi, EXAMPLE_MODELS, httpApiEventOf } from '../../contract/targets';
import { httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { tempDir } from '../../support/testHandler';
import { startTestServer } from '../server/helpers';

/**
 * Issue 27, item 5: a route matches the whole path, never a template at its end. `/web/{asset}`
 * is deployed without an authorizer, so `/web/openapi.json` answering the document (and
 * `/web/v2` the server) opened the API's description to anyone. Every route's path is sent
 * under every other route's prefix; each lands on the route of the whole path, or is a 404.
 * The local stack gets the same list in test/contract/sameAnswers.test.ts.
 */
const SAMPLE: SampleParams = { model: 'tiny', version: '1', predictModel: 'text-orientation', asset: 'pages.css' };
const cases = crossPrefixCases(SAMPLE);

let serve: Awaited<ReturnType<typeof startTestServer>> | undefined;
beforeAll(async () => {
  // tiny alone: a served pipeline model that is drained before it ever loads crashes the process
  // ("terminate called after throwing an instance of 'Napi::Error'"; reported with issue 27).
  serve = await startTestServer({ models: { tiny: { weights: EXAMPLE_WEIGHTS.tiny as string, version: '1' } } });
}, 60_000);
afterAll(async () => {
  await serve?.drain(10_000);
});

async function problems(send: (req: WireRequest) => Promise<WireResponse>): Promise<string[]> {
  const out: string[] = [];
  for (const c of cases) {
    const problem = crossPrefixProblem(c, await send(c.request));
    if (problem) out.push(`${c.request.method} ${c.request.path}: ${problem}`);
  }
  return out;
}

describe('routes match whole paths', () => {
  it('names the route of the whole path, or none, for every route under every prefix', () => {
    expect(cases.length).toBeGreaterThan(200);
    const wrong = cases
      .map((c) => ({ c, got: matchRoute(c.request.path) }))
      .filter(({ c, got }) => got?.name !== c.route || (got !== undefined && JSON.stringify(got.params) !== JSON.stringify(c.params)))
      .map(({ c, got }) => `${c.request.path}: ${got?.template ?? 'none'}, expected ${c.route ?? 'none'}`);
    expect(wrong).toEqual([]);
  });

  it('lands each on its route or a 404 behind the deployed API (the Lambda handlers)', async () => {
    expect(await problems(deployedApi(EXAMPLE_MODELS))).toEqual([]);
  }, 60_000);

  it('lands each on its route or a 404 on onnxless serve', async () => {
    const port = serve!.port;
    expect(await problems((req) => sendRaw(port, req))).toEqual([]);
  }, 120_000);

  it('never answers the OpenAPI document or the server from under the page files', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'openapi.json'), JSON.stringify({ openapi: '3.0.3', info: { title: 'private' }, paths: {} }));
    const server = createServerHandler({
      sink: NO_SINK,
      env: { ONNXLESS_MODEL_CATALOG: 'tiny@1', LAMBDA_TASK_ROOT: root, ONNXLESS_OPENAPI_FILE: 'openapi.json' },
    });
    for (const path of ['/web/openapi.json', '/web/v2', '/web/docs']) {
      const res = (await server(httpApiEventOf({ method: 'GET', path, headers: {} }, 'GET /web/{asset}'))) as Result;
      expect([path, res.statusCode, jsonBody(res).error]).toEqual([path, 404, expect.stringMatching(/^no page file/)]);
    }
  });

  it("takes a named stage's prefix off the path, and only that", async () => {
    const server = createServerHandler({ sink: NO_SINK, env: { ONNXLESS_MODEL_CATALOG: 'tiny@1' } });
    const staged = (path: string, stage: string) => server(httpApiEvent('GET', path, { stage })) as Promise<Result>;
    expect((await staged('/prod/v2/health/live', 'prod')).statusCode).toBe(200);
    expect((await staged('/prod/v2/health/live', '$default')).statusCode).toBe(404);
    expect((await staged('/other/v2/health/live', 'prod')).statusCode).toBe(404);
  });
});
