import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { buildOpenApiDocument, hasDomainRoute, pipelineNameOfHandler, type OpenApiDocument } from '../../../lib/core/openapi';
import { pipelines as singleModelPipelines } from '../../../lib/core/builtins';
import { MULTI_MODEL_PIPELINES } from '../../../lib/core/builtins/multiModel';

// Every declared pipeline, those of several models (kind: pipeline) included.
const pipelines = { ...singleModelPipelines, ...MULTI_MODEL_PIPELINES };
import { readRegistryFile, type AuthConfig, type Registry } from '../../../lib/core/registry';
import { predictMediaTypes, routes, validateOpenApi } from '../../unit/openapi/openApiAssertions';

const root = fileURLToPath(new URL('../../..', import.meta.url));
// The example registry as shipped: `onnxless push` and `npm run train` edit the user's serverless.yml, never this copy.
const REGISTRY = 'test/fixtures/registry/serverless.yml';
// No ONNXLESS_BUCKET or stage from the machine running the tests: the file's own fallbacks.
const readProjectRegistry = () => readRegistryFile(path.join(root, REGISTRY), { env: {}, stage: 'dev' });

/** `METHOD /path` of every HTTP route the deployment plan registers. */
function plannedRoutes(registry: Registry): string[] {
  const plan = planDeployment(registry, {
    service: 'onnxless',
    stage: 'dev',
    runtime: 'nodejs22.x',
    naming: { getNormalizedFunctionName: (n) => n.replace(/-/g, 'Dash'), getLambdaLayerLogicalId: (n) => `${n}LambdaLayer` },
    root,
    bundleExtension: '.cjs',
  });
  // `* *` is the $default route: every unmatched request, described by no path.
  return Object.values(plan.functions)
    .flatMap((fn) => fn.events.map((e) => `${e.httpApi.method} ${e.httpApi.path}`))
    .filter((r) => r !== '* *');
}

let registry: Registry;
let document: OpenApiDocument;

beforeAll(async () => {
  registry = await readProjectRegistry();
  document = buildOpenApiDocument(registry, { pipelines });
});

describe('the OpenAPI document of the example registry', () => {
  it('is valid OpenAPI per swagger-parser', async () => {
    await validateOpenApi(document);
  });

  it('stays valid with every auth type', async () => {
    const variants: AuthConfig[] = [{ type: 'none' }, { type: 'jwt', issuer: 'https://issuer.example.com/', audience: ['onnxless'] }];
    for (const auth of variants) {
      await validateOpenApi(buildOpenApiDocument({ ...registry, auth }, { pipelines }));
    }
  });

  it('gives every registered model its OIP routes, and a predict route when it has its own handler', () => {
    const described = routes(document);

    for (const [model, entry] of Object.entries(registry.models)) {
      expect(described).toEqual(
        expect.arrayContaining([`GET /v2/models/${model}`, `GET /v2/models/${model}/ready`, `POST /v2/models/${model}/infer`]),
      );
      expect(described.includes(`POST /models/${model}/predict`)).toBe(hasDomainRoute(entry.handler));
    }
  });

  it('describes exactly the routes the deployment registers, plus the document itself', () => {
    const described = routes(document).filter((r) => r !== 'GET /openapi.json');
    // The browser pages (lib/core/pages) are pages, not operations of the API: no path describes them.
    const pages = ['GET /docs', 'GET /playground', 'GET /web/{asset}'];
    const planned = plannedRoutes(registry).filter((r) => r !== 'GET /openapi.json' && !pages.includes(r));

    expect(described.sort()).toEqual(planned.sort());
  });

  it("accepts on each predict route exactly the media types its handler's pipeline accepts", () => {
    const custom = Object.entries(registry.models).filter(([, entry]) => hasDomainRoute(entry.handler));
    expect(custom.length).toBeGreaterThan(0);

    for (const [model, entry] of custom) {
      const pipeline = pipelines[pipelineNameOfHandler(entry.handler!) as keyof typeof pipelines];
      expect(predictMediaTypes(document, model)).toEqual([...pipeline.accepts]);
    }
  });
});

describe('npm run build:openapi', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'onnxless-openapi-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the valid document where it is told and prints the path', async () => {
    const out = path.join(dir, 'nested', 'openapi.json');

    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(root, 'node_modules/tsx/dist/cli.mjs'),
        'scripts/build-openapi.ts',
        '--config',
        REGISTRY,
        '--out',
        out,
        '--server',
        'http://localhost:3000',
      ],
      { cwd: root, env: { ...process.env, ONNXLESS_BUCKET: '' } },
    );

    expect(stdout.trim()).toBe(out);
    const written = JSON.parse(await readFile(out, 'utf8')) as OpenApiDocument;
    await validateOpenApi(written);
    expect(written.servers).toEqual([{ url: 'http://localhost:3000' }]);
    expect(written.paths).toEqual(document.paths);
  });
});
