import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { ConfigSchemaHost } from '../../../lib/tools/deploy/configSchema';
import { registryJsonSchema, serverlessYmlJsonSchema, type JsonSchema } from '../../../lib/core/registry/jsonSchema';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// The example registry as shipped; the project's own serverless.yml is the user's (testsKeepOffUserFiles).
const EXAMPLE = fileURLToPath(new URL('../../fixtures/registry/serverless.yml', import.meta.url));

// osls's own validator (ajv, strict, draft-07), as `serverless package` runs it: the one place
// ajv is installed is under the framework, which the project depends on.
const require = createRequire(import.meta.url);
const ConfigSchemaHandler = require('osls/lib/classes/config-schema-handler') as new (
  serverless: object,
) => ConfigSchemaHost['configSchemaHandler'] & {
  validateConfig(config: object): Promise<void>;
};

/**
 * What an ajv-based validator says of a serverless.yml holding `onnxless` as its registry, with
 * schema.json's `custom.onnxless` part: osls's own handler (ajv, draft-07) stands in for an editor.
 * The plugin registers only `{ type: object }` with the framework (lib/tools/deploy/configSchema.ts).
 */
async function frameworkError(onnxless: unknown): Promise<string | undefined> {
  const config = { service: 'svc', provider: { name: 'aws' }, custom: { onnxless } };
  const serverless: ConfigSchemaHost & Record<string, unknown> = {
    service: { provider: { name: 'aws' }, configValidationMode: 'error' },
    configurationInput: config,
  };
  serverless.configSchemaHandler = new ConfigSchemaHandler(serverless);
  const { $schema: _draft, $id: _id, ...registry } = registryJsonSchema();
  serverless.configSchemaHandler!.defineCustomProperties({ type: 'object', properties: { onnxless: registry } });
  try {
    await (serverless.configSchemaHandler as InstanceType<typeof ConfigSchemaHandler>).validateConfig(config);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

const exampleRegistry = () => (parse(readFileSync(EXAMPLE, 'utf8')) as { custom: { onnxless: Record<string, any> } }).custom.onnxless;
const withModel = (entry: Record<string, unknown>) => ({
  bucket: { name: 'models-bucket' },
  models: { tiny: { weights: 's3://models-bucket/tiny/1/', ...entry } },
});

describe('the JSON Schema of custom.onnxless', () => {
  // osls caches each compiled validator under ~/.serverless: keep it in a temp folder.
  let cache: string;
  beforeAll(() => {
    cache = mkdtempSync(join(tmpdir(), 'onnxless-schema-'));
    vi.stubEnv('SLS_SCHEMA_CACHE_BASE_DIR', cache);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(cache, { recursive: true, force: true });
  });

  it('is current in schema.json at the package root (npm run build:schema)', async () => {
    const written: unknown = JSON.parse(readFileSync(join(ROOT, 'schema.json'), 'utf8'));
    expect(written).toEqual(serverlessYmlJsonSchema());
    // --check also compares the formatting, and fails (exit 1) when the file is stale.
    await expect(
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/build-schema.ts', '--check'], { cwd: ROOT }),
    ).resolves.toBeDefined();
  });

  it('describes every field of the registry, a model entry and a pipeline entry', () => {
    const registry = registryJsonSchema();
    const models = registry.properties?.models as { additionalProperties: { then: JsonSchema; else: JsonSchema } };
    const undescribed = [
      ['registry', registry],
      ['model', models.additionalProperties.else],
      ['pipeline', models.additionalProperties.then],
    ].flatMap(([where, schema]) =>
      Object.entries((schema as JsonSchema).properties ?? {})
        .filter(([, field]) => typeof field !== 'object' || !field.description)
        .map(([name]) => `${where as string}.${name}`),
    );
    expect(undescribed).toEqual([]);
    expect(registry).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'urn:onnxless:registry',
      title: expect.any(String),
    });
  });

  it('accepts the example registry as written, its serverless variables unresolved', async () => {
    const registry = exampleRegistry();
    expect(registry.bucket.name).toContain('${');
    expect(await frameworkError(registry)).toBeUndefined();
  });

  it('refuses a misspelled model field, naming the model and the field', async () => {
    const registry = exampleRegistry();
    registry.models.tiny.weigths = registry.models.tiny.weights;
    expect(await frameworkError(registry)).toMatch(/at 'custom\.onnxless\.models\.tiny': unrecognized property 'weigths'/);
  });

  it('refuses a misspelled pipeline field and a bad value, each where it is', async () => {
    const registry = exampleRegistry();
    registry.models.ocr.memorysize = 1024;
    registry.models.ocr.models.detection.sha256 = 'abc';
    const error = await frameworkError(registry);
    expect(error).toMatch(/at 'custom\.onnxless\.models\.ocr': unrecognized property 'memorysize'/);
    expect(error).toMatch(/at 'custom\.onnxless\.models\.ocr\.models\.detection\.sha256': must match pattern/);
  });

  it('takes a variable in a string it checks the form of, and refuses a malformed value', async () => {
    expect(await frameworkError({ ...withModel({ sha256: '${env:TINY_SHA256}' }), bucket: { name: '${env:BUCKET}' } })).toBeUndefined();
    expect(await frameworkError({ ...withModel({}), bucket: { name: 'Bad_Bucket' } })).toMatch(
      /custom\.onnxless\.bucket\.name': must match pattern/,
    );
    expect(await frameworkError(withModel({ architecture: 'arm' }))).toMatch(
      /custom\.onnxless\.models\.tiny\.architecture': must be equal to one of the allowed values \[x86_64, arm64\]/,
    );
  });

  it('takes auth as a word or an object, and names what a JWT authorizer lacks', async () => {
    expect(await frameworkError({ ...withModel({}), auth: 'none' })).toBeUndefined();
    expect(
      await frameworkError({ ...withModel({}), auth: { type: 'jwt', issuer: 'https://id.example.com/', audience: ['api'] } }),
    ).toBeUndefined();
    expect(await frameworkError({ ...withModel({}), auth: 'open' })).toMatch(
      /custom\.onnxless\.auth': must be equal to one of the allowed values \[iam, none\]/,
    );
    expect(await frameworkError({ ...withModel({}), auth: { type: 'jwt', issuer: 'https://id.example.com/' } })).toMatch(
      /custom\.onnxless\.auth': must have required property 'audience'/,
    );
  });
});
