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
});
