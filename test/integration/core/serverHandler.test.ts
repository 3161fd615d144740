import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerHandler } from '../../../lib/lambda/createServerHandler';
import { httpApiEvent, jsonBody, type Result } from '../../support/httpApiEvent';
import { tempDir } from '../../support/testHandler';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('the server function', () => {
  it('answers the OIP server routes', async () => {
    const handler = createServerHandler();
    expect(jsonBody((await handler(httpApiEvent('GET', '/v2'))) as Result)).toMatchObject({ name: 'onnxless' });
    expect(((await handler(httpApiEvent('GET', '/v2/health/live'))) as Result).statusCode).toBe(200);
    expect(((await handler(httpApiEvent('GET', '/v2/health/ready'))) as Result).statusCode).toBe(200);
  });

  it('serves the OpenAPI document shipped in its package, relative to the task root', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'openapi.json'), '{"openapi":"3.0.3"}');
    process.env.LAMBDA_TASK_ROOT = root;
    process.env.ONNXLESS_OPENAPI_FILE = 'openapi.json';

    const result = (await createServerHandler()(httpApiEvent('GET', '/openapi.json'))) as Result;

    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json');
    expect(jsonBody(result)).toEqual({ openapi: '3.0.3' });
  });

  it('answers 404 for /openapi.json when no document was deployed', async () => {
    delete process.env.ONNXLESS_OPENAPI_FILE;
    const result = (await createServerHandler()(httpApiEvent('GET', '/openapi.json'))) as Result;
    expect(result.statusCode).toBe(404);
    expect(jsonBody(result).error).toMatch(/no OpenAPI document/);
  });

  describe('as the $default route, behind every path no other route matches', () => {
    const handler = createServerHandler({ env: { ONNXLESS_MODEL_CATALOG: 'tiny@1,text-orientation@1+predict,plain' } });
    const call = async (method: string, path: string, body?: string) => {
      const result = (await handler(httpApiEvent(method, path, { body }))) as Result;
      return { status: result.statusCode, body: jsonBody(result), allow: result.headers?.allow };
    };

    it.each([
      ['an unknown model', 'GET', '/v2/models/nope', 404, "unknown model 'nope'; served here: tiny, text-orientation, plain"],
      ['an unknown model infer', 'POST', '/v2/models/nope/infer', 404, "unknown model 'nope'; served here: tiny, text-orientation, plain"],
      ['a version the registry does not list', 'GET', '/v2/models/tiny/versions/99', 404, "model 'tiny' has no version '99'; versions: 1"],
      [
        'a version of a model with none',
        'POST',
        '/v2/models/plain/versions/1/infer',
        404,
        "model 'plain' has no version '1'; versions: none listed",
      ],
      [
        'the domain route of a tensor model',
        'POST',
        '/models/tiny/predict',
        404,
        "model 'tiny' has no domain route; use /v2/models/tiny/infer",
      ],
      ['an unknown path', 'GET', '/nothing/here', 404, 'no route for GET /nothing/here; the routes are listed at /openapi.json'],
    ])('answers %s with a 404 {"error"}', async (_what, method, path, status, error) => {
      expect(await call(method, path)).toEqual({ status, body: { error }, allow: undefined });
    });

    it.each([
      ['GET', '/v2/models/tiny/infer', 'POST'],
      ['DELETE', '/v2/models/tiny', 'GET'],
      ['POST', '/v2', 'GET'],
      ['PUT', '/v2/models/tiny/versions/1/ready', 'GET'],
    ])('answers %s %s with a 405 naming the allowed method', async (method, path, allowed) => {
      const answer = await call(method, path, '{"inputs":[]}');
      expect(answer.status).toBe(405);
      expect(answer.allow).toBe(allowed);
      expect(answer.body.error).toBe(`method ${method} is not allowed on ${path}; allowed: ${allowed}`);
    });

    it('bounds a long unknown name in its answer', async () => {
      const name = 'm'.repeat(5000);
      const answer = await call('GET', `/v2/models/${name}`);
      expect(answer.status).toBe(404);
      expect(answer.body.error.length).toBeLessThan(300);
      expect(answer.body.error).toContain('(5000 characters)');
    });
  });
});
