import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../lib/core/openapi';
import { parseRegistry } from '../../../lib/core/registry';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { PLAN_CONTEXT } from '../deploy/planContext';
import { validateOpenApi } from './openApiAssertions';

const pipelines = { speech: { accepts: ['audio/wav'], description: 'A WAV in, segments out.' } };
const registry = (jobs: boolean) =>
  parseRegistry({
    bucket: { name: 'models-test' },
    ...(jobs ? { jobs: {} } : {}),
    models: {
      plain: { weights: 's3://models-test/plain/1/' },
      vad: { weights: 's3://models-test/vad/1/', handler: 'handlers/speech.handler' },
      pages: {
        kind: 'pipeline',
        handler: 'handlers/speech.handler',
        models: { detection: { weights: 's3://models-test/det/1/' } },
      },
    },
  });

const jobRoutes = (paths: string[]) => paths.filter((p) => p.includes('/jobs/')).sort();

describe('the OpenAPI document of a registry with jobs', () => {
  it('lists exactly the job routes the deploy routes, and stays valid OpenAPI', async () => {
    const document = buildOpenApiDocument(registry(true), { pipelines });
    const deployed = Object.values(planDeployment(registry(true), PLAN_CONTEXT).functions).flatMap((fn) =>
      fn.events.filter((e) => e.httpApi.method === 'GET').map((e) => e.httpApi.path),
    );
    expect(jobRoutes(Object.keys(document.paths))).toEqual(jobRoutes(deployed));
    expect(jobRoutes(Object.keys(document.paths))).toEqual([
      '/models/pages-detection/jobs/{job}',
      '/models/pages/jobs/{job}',
      '/models/plain/jobs/{job}',
      '/models/vad/jobs/{job}',
    ]);
    await validateOpenApi(document);
  });

  it('offers Prefer and the webhook header and a 202 on predict and infer', () => {
    const document = buildOpenApiDocument(registry(true), { pipelines });
    for (const operation of [document.paths['/models/vad/predict']?.post, document.paths['/v2/models/plain/infer']?.post]) {
      expect((operation?.parameters as Array<{ name: string }>).map((p) => p.name)).toEqual(
        expect.arrayContaining(['Prefer', 'Onnxless-Webhook']),
      );
      expect(operation?.responses['202']).toMatchObject({ headers: { Location: expect.anything() } });
    }
  });

  it('has none of it without jobs', () => {
    const document = buildOpenApiDocument(registry(false), { pipelines });
    expect(jobRoutes(Object.keys(document.paths))).toEqual([]);
    expect(document.paths['/models/vad/predict']?.post?.responses['202']).toBeUndefined();
    expect(document.components.schemas.JobStatus).toBeUndefined();
  });
});
