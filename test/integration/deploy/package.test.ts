import { readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegistryFile } from '../../../lib/core/registry/index';
import { examplePackage } from './examplePackage';
import {
  EXAMPLE_REGISTRY,
  allowStatements,
  extractZip,
  lambdaFunction,
  makeService,
  packageService,
  removeService,
  resourcesOfType,
  routes,
  runServerless,
  serviceConfig,
  type PackagedService,
} from './serviceFixture';

// Real `serverless package` runs (osls + serverless-esbuild + the project plugin), one per
// configuration, each in its own temp service folder, with dummy credentials and AWS unreachable.

const MODEL_ROUTES = (m: string) => [`GET /v2/models/${m}`, `GET /v2/models/${m}/ready`, `POST /v2/models/${m}/infer`];
const SERVER_ROUTES = ['GET /v2', 'GET /v2/health/live', 'GET /v2/health/ready', 'GET /openapi.json'];
/** The browser pages' own routes: deployed (without an authorizer) only under auth: none or api.pages: true. */
const PAGE_ROUTES = ['GET /docs', 'GET /playground', 'GET /web/{asset}'];
const MiB = 1024 * 1024;

function layerRefs(fn: { Properties: Record<string, any> }): string[] {
  return (fn.Properties.Layers as Array<{ Ref: string }>).map((l) => l.Ref);
}

describe('serverless package of the example registry', () => {
  let pkg: PackagedService;
  const registryPromise = readRegistryFile(EXAMPLE_REGISTRY, { env: {} });

  beforeAll(async () => {
    // The run's shared package, with a leftover in the bundler's build folder (examplePackage.ts).
    pkg = await examplePackage();
  }, 300_000);
  afterAll(() => removeService(pkg));

  it('makes one function per model plus the server function', async () => {
    // A pipeline's models share its one function (docs/pipelines.md).
    const models = [...Object.keys((await registryPromise).models), ...Object.keys((await registryPromise).pipelines ?? {})];
    expect(models).toEqual(expect.arrayContaining(['tiny', 'text-orientation', 'text-recognition', 'voice-activity']));
    const names = resourcesOfType(pkg.template, 'AWS::Lambda::Function')
      .map(([, r]) => r.Properties.FunctionName)
      .sort();
    expect(names).toEqual([...models, 'server'].map((k) => `onnxless-dev-${k}`).sort());
  });

  // The whole route table, $default included: routes.test.ts.

  it('gives every model its ONNXLESS_MODEL_* environment from the registry', async () => {
    for (const [name, entry] of Object.entries((await registryPromise).models)) {
      const env = lambdaFunction(pkg.template, name).Properties.Environment.Variables;
      expect(env).toMatchObject({ ONNXLESS_MODEL_NAME: name, ONNXLESS_MODEL_URI: entry.weights, ONNXLESS_MODEL_SHA256: entry.sha256 });
      // A model is a directory: model.onnx, companion files and the manifest the pin covers.
      expect(env.ONNXLESS_MODEL_URI).toBe(`s3://onnxless-models-dev/${name}/1/`);
      expect(env.ONNXLESS_MODEL_VERSION).toBe('1');
    }
    expect(lambdaFunction(pkg.template, 'text-recognition').Properties.Environment.Variables.ONNXLESS_EAGER).toBe('true');
  });

  it('protects every route with IAM (SigV4), the default when the registry has no auth line, the browser pages included', () => {
    const table = routes(pkg.template);
    for (const [key, route] of table) expect([key, route.authorizationType]).toEqual([key, 'AWS_IAM']);
    for (const page of PAGE_ROUTES) expect([page, table.has(page)]).toEqual([page, false]);
    expect(resourcesOfType(pkg.template, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  });

  it("lets each function read exactly its own model's objects (its directory), nothing bucket-wide", async () => {
    // X-Ray's write actions take no resource-level permission: '*' is the only form (liveAlias.test.ts checks that statement).
    const statements = allowStatements(pkg.template).filter((s) => !s.actions.every((a) => a.startsWith('xray:')));
    for (const s of statements) {
      for (const resource of s.resources) {
        expect(resource).not.toBe('*');
        if (resource.startsWith('arn:aws:s3:::')) {
          // bucket/<model>/<version>/* at most: a wildcard only after the model's own prefix.
          expect(resource).toMatch(/^arn:aws:s3:::[^/*]+\/[^*?]+\/(\*)?$|^arn:aws:s3:::[^/*]+\/[^*?]+[^/*]$/);
        }
      }
      expect(s.actions.every((a) => !a.includes('*'))).toBe(true);
    }
    for (const [name, entry] of Object.entries((await registryPromise).models)) {
      const fn = lambdaFunction(pkg.template, name);
      const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
      const s3 = statements.filter((s) => s.role === role && s.actions.some((a) => a.startsWith('s3:')));
      const objects = `${entry.weights.slice('s3://'.length)}${entry.weights.endsWith('/') ? '*' : ''}`;
      expect(s3).toEqual([{ role, actions: ['s3:GetObject'], resources: [`arn:aws:s3:::${objects}`] }]);
    }
    const serverRole = lambdaFunction(pkg.template, 'server').Properties.Role['Fn::GetAtt'][0];
    expect(statements.filter((s) => s.role === serverRole).flatMap((s) => s.actions)).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    // No shared default role: every function has its own.
    expect(pkg.template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it("attaches the layer of each function's architecture, and sharp only where asked", async () => {
    const registry = await registryPromise;
    const layers = Object.fromEntries(resourcesOfType(pkg.template, 'AWS::Lambda::LayerVersion'));
    expect(layers.OnnxruntimeX8664LambdaLayer?.Properties.CompatibleArchitectures).toEqual(['x86_64']);
    expect(layers.SharpX8664LambdaLayer?.Properties.CompatibleArchitectures).toEqual(['x86_64']);

    for (const [name, entry] of Object.entries(registry.models)) {
      const fn = lambdaFunction(pkg.template, name);
      const arch = entry.architecture ?? 'x86_64';
      const suffix = arch === 'arm64' ? 'Arm64' : 'X8664';
      expect(fn.Properties.Architectures).toEqual([arch]);
      expect(layerRefs(fn)).toEqual([
        `Onnxruntime${suffix}LambdaLayer`,
        ...(entry.layers ?? []).map((l) => `${l[0]!.toUpperCase()}${l.slice(1)}${suffix}LambdaLayer`),
      ]);
    }
    expect(layerRefs(lambdaFunction(pkg.template, 'tiny'))).toEqual(['OnnxruntimeX8664LambdaLayer']);
    expect(layerRefs(lambdaFunction(pkg.template, 'text-orientation'))).toEqual(['OnnxruntimeX8664LambdaLayer', 'SharpX8664LambdaLayer']);
    expect(lambdaFunction(pkg.template, 'server').Properties.Layers).toBeUndefined();
  });

  it('sizes memory, timeout and /tmp from the registry and the defaults', () => {
    const tiny = lambdaFunction(pkg.template, 'tiny').Properties;
    expect([tiny.MemorySize, tiny.Timeout, tiny.EphemeralStorage]).toEqual([2048, 29, { Size: 512 }]);
    const orientation = lambdaFunction(pkg.template, 'text-orientation').Properties;
    expect(orientation.MemorySize).toBe(1024);
  });

  it('creates the model bucket private, encrypted, versioned, with public access blocked, and keeps it on remove', () => {
    const bucket = pkg.template.Resources.OnnxlessModelBucket;
    expect(bucket).toMatchObject({ Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' });
    expect(bucket?.Properties).toMatchObject({
      BucketName: 'onnxless-models-dev',
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it("prints the function zip sizes and keeps the generic handler's zip well under 1 MB", async () => {
    expect(pkg.log).toMatch(/function zips: .*tiny \d/);
    expect(pkg.log).toMatch(/layer onnxruntime-x86_64 [\d.]+ MiB zipped/);
    const size = (await stat(path.join(pkg.out, 'tiny.zip'))).size;
    expect(size).toBeLessThan(600 * 1024);
  });

  it("zips each function's own bundle and nothing else: no native module, no node_modules, no leftovers", async () => {
    const scratch = path.join(pkg.dir, 'unzipped');
    for (const key of [...Object.keys((await registryPromise).models), 'server']) {
      const files = await extractZip(path.join(pkg.out, `${key}.zip`), path.join(scratch, key));
      const handler = lambdaFunction(pkg.template, key).Properties.Handler as string;
      const bundle = `${handler.slice(0, handler.lastIndexOf('.'))}.cjs`;
      // The server function also ships the OpenAPI document it serves.
      expect([key, files]).toEqual([key, key === 'server' ? [bundle, '.onnxless/openapi.json'] : [bundle]]);
      const js = (
        await Promise.all(files.filter((f) => /\.[cm]?js$/.test(f)).map((f) => readFile(path.join(scratch, key, f), 'utf8')))
      ).join('\n');
      expect([key, /onnxruntime_binding|libvips-cpp/.test(js)]).toEqual([key, false]);
    }
  });
});

describe('serverless package with a JWT authorizer, an existing bucket and explicit sizes', () => {
  let pkg: PackagedService;
  const big = 3_000_000_000;

  beforeAll(async () => {
    pkg = await packageService(
      await serviceConfig((doc) => {
        doc.setIn(['custom', 'onnxless', 'bucket'], { name: 'existing-models-bucket', create: false });
        doc.setIn(['custom', 'onnxless', 'auth'], { type: 'jwt', issuer: 'https://issuer.example.com/', audience: ['onnxless-api'] });
        doc.setIn(['custom', 'onnxless', 'models'], {
          big: {
            weights: 's3://existing-models-bucket/big/3/model.onnx',
            size: big,
            architecture: 'arm64',
            timeout: 20,
            intraOpThreads: 2,
            graphOptimization: 'basic',
            executionProviders: ['cpu'],
          },
          elsewhere: { weights: 's3://another-bucket/models/elsewhere.onnx' },
        });
      }),
    );
  }, 170_000);
  afterAll(() => removeService(pkg));

  it('puts every route behind the JWT authorizer with the configured issuer and audience', () => {
    const authorizers = resourcesOfType(pkg.template, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [id, authorizer] = authorizers[0]!;
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://issuer.example.com/', Audience: ['onnxless-api'] },
    });
    const table = routes(pkg.template);
    expect([...table.keys()]).toEqual(
      expect.arrayContaining([...MODEL_ROUTES('big'), ...MODEL_ROUTES('elsewhere'), ...SERVER_ROUTES, '$default']),
    );
    for (const page of PAGE_ROUTES) expect([page, table.has(page)]).toEqual([page, false]);
    for (const [key, route] of table) expect([key, route]).toMatchObject([key, { authorizationType: 'JWT', authorizerId: { Ref: id } }]);
  });

  it('leaves an existing bucket alone and scopes reads to each model object, whatever bucket it is in', () => {
    expect(pkg.template.Resources.OnnxlessModelBucket).toBeUndefined();
    expect(pkg.template.Outputs.OnnxlessModelBucketName).toMatchObject({ Value: 'existing-models-bucket' });
    const s3 = allowStatements(pkg.template).filter((s) => s.actions.includes('s3:GetObject'));
    expect(s3.map((s) => s.resources).sort()).toEqual([
      ['arn:aws:s3:::another-bucket/models/elsewhere.onnx'],
      ['arn:aws:s3:::existing-models-bucket/big/3/model.onnx'],
    ]);
  });

  it('sizes /tmp and memory from the weights size, and passes the session settings', () => {
    const fn = lambdaFunction(pkg.template, 'big').Properties;
    expect(fn.EphemeralStorage).toEqual({ Size: Math.ceil((big * 1.1) / MiB) + 256 });
    expect(fn.MemorySize).toBe(Math.ceil(((3 * big) / MiB + 1024) / 64) * 64);
    expect(fn.Timeout).toBe(20);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(layerRefs({ Properties: fn })).toEqual(['OnnxruntimeArm64LambdaLayer']);
    expect(fn.Environment.Variables).toMatchObject({
      ONNXLESS_INTRA_OP_THREADS: '2',
      ONNXLESS_GRAPH_OPTIMIZATION: 'basic',
      ONNXLESS_EXECUTION_PROVIDERS: 'cpu',
    });
    const elsewhere = lambdaFunction(pkg.template, 'elsewhere').Properties;
    expect(elsewhere.EphemeralStorage).toBeUndefined();
    expect(elsewhere.MemorySize).toBe(2048);
    // Only the layers in use: no sharp here.
    expect(
      Object.keys(pkg.template.Resources)
        .filter((k) => k.endsWith('LambdaLayer'))
        .sort(),
    ).toEqual(['OnnxruntimeArm64LambdaLayer', 'OnnxruntimeX8664LambdaLayer']);
  });
});

describe('serverless package with auth: none', () => {
  let pkg: PackagedService;

  beforeAll(async () => {
    pkg = await packageService(
      await serviceConfig((doc) => {
        doc.setIn(['custom', 'onnxless', 'auth'], 'none');
        doc.setIn(['custom', 'onnxless', 'models'], { tiny: { weights: 's3://onnxless-models-dev/tiny/1/model.onnx' } });
      }),
    );
  }, 170_000);
  afterAll(() => removeService(pkg));

  it('leaves the routes open only because the registry says none', () => {
    const table = routes(pkg.template);
    expect([...table.keys()]).toEqual(expect.arrayContaining([...MODEL_ROUTES('tiny'), ...SERVER_ROUTES, ...PAGE_ROUTES, '$default']));
    for (const route of table.values()) expect(route.authorizationType).toBeUndefined();
    expect(resourcesOfType(pkg.template, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  });
});

describe('serverless package with a bad registry', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((dir) => removeService({ dir }))));

  async function packageFails(edit: Parameters<typeof serviceConfig>[0]): Promise<string> {
    const dir = await makeService(await serviceConfig(edit));
    dirs.push(dir);
    const { code, output } = await runServerless(dir, ['package', '--package', path.join(os.tmpdir(), 'never-written')]);
    expect(code).not.toBe(0);
    return output;
  }

  it('fails naming the model and the field', async () => {
    const output = await packageFails((doc) => {
      doc.setIn(['custom', 'onnxless', 'models', 'tiny', 'weights'], 'https://example.com/tiny.onnx');
      doc.setIn(['custom', 'onnxless', 'models', 'voice-activity', 'architecture'], 'arm');
      doc.setIn(['custom', 'onnxless', 'models', 'text-recognition', 'memorySize'], 64);
    });
    expect(output).toContain("model 'tiny': weights: expected s3://bucket/key, got 'https://example.com/tiny.onnx'");
    expect(output).toContain("model 'voice-activity': architecture: expected one of x86_64, arm64");
    expect(output).toContain("model 'text-recognition': memorySize: must be at least 128 MB");
    expect(output).not.toContain('Service packaged');
  });

  it("fails when weights cannot fit Lambda's /tmp, naming the model and size", async () => {
    const output = await packageFails((doc) => {
      doc.setIn(['custom', 'onnxless', 'models', 'tiny', 'size'], 20_000_000_000);
    });
    expect(output).toMatch(/model 'tiny': size: 20000000000 bytes of weights need \d+ MB of \/tmp, Lambda allows 10240/);
  });

  it('fails on a JWT authorizer without an issuer rather than falling back to no auth', async () => {
    const output = await packageFails((doc) => {
      doc.setIn(['custom', 'onnxless', 'auth'], { type: 'jwt', audience: 'x' });
    });
    expect(output).toContain('auth.issuer: required');
  });
});
