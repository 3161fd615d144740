import { describe, expect, it } from 'vitest';
import { catalogFromOpenApi } from '../../../lib/core/http/modelCatalog';
import { modelRoutes } from '../../../lib/core/http/routeTable';
import { createServerHandler } from '../../../lib/lambda/createServerHandler';
import { NO_SINK } from '../../../lib/core/observability/sinks';
import { httpApiEvent, jsonBody } from '../../support/httpApiEvent';
import { tempDir } from '../../support/testHandler';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** An OpenAPI document listing these models' routes, as lib/core/openapi writes them (literal paths from the route table). */
function documentOf(models: Record<string, { versions: string[]; predict: boolean }>): string {
  const paths = Object.fromEntries(
    Object.entries(models).flatMap(([name, info]) => modelRoutes(name, info).map((r) => [r.path, { [r.method.toLowerCase()]: {} }])),
  );
  return JSON.stringify({ openapi: '3.0.3', paths: { '/v2': { get: {} }, ...paths } });
}

describe("the server function's catalog from its OpenAPI document", () => {
  const models = {
    tiny: { versions: ['1'], predict: false },
    ocr: { versions: [], predict: true },
    two: { versions: ['1', '2'], predict: false },
  };

  it('lists each model with its versions and domain route', () => {
    expect(catalogFromOpenApi(documentOf(models))).toEqual(models);
    expect(catalogFromOpenApi('not json')).toEqual({});
  });

  it('names the deployment models in its 404s when no ONNXLESS_MODEL_CATALOG is set (a catalog over 4 KB)', async () => {
    const root = tempDir('onnxless-catalog-');
    writeFileSync(join(root, 'openapi.json'), documentOf(models));
    const server = createServerHandler({ sink: NO_SINK, env: { LAMBDA_TASK_ROOT: root, ONNXLESS_OPENAPI_FILE: 'openapi.json' } });
    const result = (await server(httpApiEvent('GET', '/v2/models/nope'))) as Parameters<typeof jsonBody>[0];
    expect(result.statusCode).toBe(404);
    expect(jsonBody(result).error).toBe("unknown model 'nope'; served here: tiny, ocr, two");
    const version = (await server(httpApiEvent('GET', '/v2/models/two/versions/3'))) as Parameters<typeof jsonBody>[0];
    expect(jsonBody(version).error).toBe("model 'two' has no version '3'; versions: 1, 2");
  });
});
