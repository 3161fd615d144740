import path from 'node:path';
import {
  DEFAULT_MODEL_HANDLER,
  LAMBDA_NODE_RUNTIMES,
  modelObjectsResource,
  parseS3Uri,
  type Architecture,
  type LambdaNodeRuntime,
  type AuthConfig,
  type ModelEntry,
  type Registry,
  type Throttle,
} from '../registry/index';
import { RegistryError } from '../registry/errors';
import { ENV } from '../config/env';
import {
  GPU_IMAGE_NAME,
  containerProblems,
  gpuEndpointResources,
  gpuEnvironment,
  gpuImage,
  lambdaImage,
  lambdaImageName,
  type EcrImage,
} from './containers';
import { LAMBDA_LIMITS, MODEL_FUNCTION_DEFAULTS, OPENAPI_FILE, PACKAGE_HANDLERS, SERVER_FUNCTION, ephemeralStorageMb, memorySizeMb } from './defaults';
import { layerPaths, type LayerName } from './layers';
import { apiLimits, type ApiLimits } from './apiLimits';
import { pipelineCatalog, planPipelineFunctions } from './pipelineFunction';
import { formatCatalog } from '../http/modelCatalog';
import { modelRoutes, pageRoutes, serverRoutes, versionOfWeights, type ConcreteRoute, type HttpMethod, type ModelRoutesInfo } from '../http/routeTable';

/**
 * Registry -> what the framework deploys: one function per model, the server function, the
 * layers they use, one IAM role per function, the bucket. Pure: the plugin merges the result
 * into the service; tests can read it without packaging.
 */

type Cfn = Record<string, unknown>;

export interface HttpApiEvent {
  /** `method: '*', path: '*'` is the HTTP API's `$default` route: every request no other route matches. */
  httpApi: { method: HttpMethod | '*'; path: string; authorizer?: { type: 'aws_iam' } | { name: string } };
}

export interface FunctionConfig {
  name: string;
  /** Zip functions; an image function (`package: image`) has `image` instead. */
  handler?: string;
  image?: { name: string };
  /** A model's own Node runtime; absent: the provider's (nodejs22.x). */
  runtime?: LambdaNodeRuntime;
  architecture: Architecture;
  memorySize: number;
  timeout: number;
  ephemeralStorageSize?: number;
  environment: Record<string, string>;
  layers?: Cfn[];
  role: string;
  /** Lambda reserved concurrency, from the registry entry. */
  reservedConcurrency?: number;
  events: HttpApiEvent[];
  package?: { patterns: string[] };
}

export interface LayerConfig {
  name: string;
  description: string;
  package: { artifact: string };
  compatibleRuntimes: string[];
  compatibleArchitectures: Architecture[];
  licenseInfo: string;
}

export interface DeploymentPlan {
  functions: Record<string, FunctionConfig>;
  /** Layer key (as in serverless.yml `layers:`) -> definition; only the ones some function uses. */
  layers: Record<string, LayerConfig>;
  /** The layer zips those definitions point at, for the build step. */
  layerBuilds: Array<{ layer: LayerName; architecture: Architecture }>;
  resources: Record<string, Cfn>;
  outputs: Record<string, Cfn>;
  /** Merged into provider.httpApi.authorizers. */
  authorizers: Record<string, Cfn>;
  /** Merged into provider.ecr.images: the Lambda images of `package: image` models, the GPU image. */
  ecrImages: Record<string, EcrImage>;
  /** Some `runtime: gpu` model names no image: the plugin builds GPU_IMAGE_NAME and puts its URI in. */
  buildsGpuImage: boolean;
  /** Throttling and access logs of the HTTP API, applied to the compiled template (apiLimits.ts). */
  api: ApiLimits;
}

export interface PlanContext {
  service: string;
  stage: string;
  runtime: string;
  /** The framework's naming (provider.naming), so logical ids match what it generates. */
  naming: { getNormalizedFunctionName(name: string): string; getLambdaLayerLogicalId(name: string): string };
  /** Project root: layer artifacts are given relative to it. */
  root: string;
  /** Extension of the bundler's output files (serverless-esbuild's outputFileExtension). */
  bundleExtension: string;
  /** Does `path/to/file` (no extension) name a handler source? */
  handlerExists?: (fileWithoutExtension: string) => boolean;
  /** The framework's ECR repository (naming.getEcrRepositoryName()); default `serverless-<service>-<stage>`. */
  ecrRepository?: string;
}

export const JWT_AUTHORIZER = 'onnxlessJwt';
export const BUCKET_LOGICAL_ID = 'OnnxlessModelBucket';

const LAYER_DESCRIPTIONS: Record<LayerName, string> = {
  onnxruntime: 'onnxruntime-node and onnxruntime-common, one platform, at /opt/nodejs/node_modules',
  sharp: 'sharp and libvips, one platform, at /opt/nodejs/node_modules',
};

export function planDeployment(registry: Registry, ctx: PlanContext): DeploymentPlan {
  const problems: string[] = [];
  const plan: DeploymentPlan = {
    functions: {},
    layers: {},
    layerBuilds: [],
    resources: {},
    outputs: {},
    authorizers: {},
    ecrImages: {},
    buildsGpuImage: false,
    api: apiLimits(registry.api, {}),
  };
  const authorizer = routeAuthorizer(registry.auth, plan);

  for (const [name, entry] of Object.entries(registry.models)) {
    const before = problems.length;
    problems.push(...containerProblems(name, entry));
    if (entry.runtime === 'gpu') {
      if (problems.length === before) planGpuModel(name, entry, ctx, plan);
      continue;
    }
    const fn = planModelFunction(name, entry, ctx, authorizer, problems);
    if (problems.length > before || !fn) continue;
    if (entry.package === 'image') {
      // The image holds onnxruntime, sharp and every handler: no layers, no zip, no handler field.
      const image = lambdaImageName(name);
      plan.ecrImages[image] = lambdaImage(name, entry, entry.handler ?? DEFAULT_MODEL_HANDLER, fn.architecture);
      // An image brings its own Node (images/Dockerfile.lambda): a zip runtime does not apply.
      if (fn.runtime) problems.push(`model '${name}': runtime: ${fn.runtime} applies to zip functions; package: image runs the image's own Node`);
      const { handler: _handler, package: _package, runtime: _runtime, ...rest } = fn;
      plan.functions[name] = { ...rest, image: { name: image } };
    } else {
      fn.layers = useLayers(['onnxruntime', ...(entry.layers ?? [])], fn.architecture, fn.runtime ?? ctx.runtime, ctx, plan);
      plan.functions[name] = fn;
    }
    plan.resources[roleLogicalId(name, ctx)] = functionRole(name, fn.name, parseS3Uri(entry.weights));
  }
  planPipelineFunctions(registry, ctx, plan, authorizer, problems);
  if (problems.length > 0) throw new RegistryError(problems);

  plan.functions[SERVER_FUNCTION.key] = planServerFunction(registry, ctx, authorizer);
  plan.api = apiLimits(registry.api, modelThrottles(registry, plan));
  plan.resources[roleLogicalId(SERVER_FUNCTION.key, ctx)] = functionRole(SERVER_FUNCTION.key, functionName(SERVER_FUNCTION.key, ctx));

  if (registry.bucket.create) Object.assign(plan.resources, bucketResources(registry.bucket.name));
  plan.outputs.OnnxlessModelBucketName = {
    Description: 'Bucket the model weights are read from',
    Value: registry.bucket.create ? { Ref: BUCKET_LOGICAL_ID } : registry.bucket.name,
  };
  return plan;
}

/** A SageMaker endpoint running `onnxless serve` from the GPU image (images/Dockerfile.gpu). */
function planGpuModel(name: string, entry: ModelEntry, ctx: PlanContext, plan: DeploymentPlan): void {
  const { resources, outputs } = gpuEndpointResources(name, entry, gpuEnvironment(entry, modelEnvironment(name, entry)), {
    service: ctx.service,
    stage: ctx.stage,
    normalized: ctx.naming.getNormalizedFunctionName(name),
    ecrRepository: ctx.ecrRepository ?? `serverless-${ctx.service}-${ctx.stage}`,
  });
  Object.assign(plan.resources, resources);
  Object.assign(plan.outputs, outputs);
  if (entry.image === undefined) {
    plan.ecrImages[GPU_IMAGE_NAME] = gpuImage();
    plan.buildsGpuImage = true;
  }
}

function planModelFunction(
  name: string,
  entry: ModelEntry,
  ctx: PlanContext,
  authorizer: HttpApiEvent['httpApi']['authorizer'],
  problems: string[],
): FunctionConfig | undefined {
  return planLambdaFunction(
    {
      name,
      kind: 'model',
      // The registry's default names the generic handler; its function runs the package's own.
      handler: entry.handler === undefined || entry.handler === DEFAULT_MODEL_HANDLER ? PACKAGE_HANDLERS.tensor.handler : entry.handler,
      settings: entry,
      ...(isLambdaNodeRuntime(entry.runtime) ? { runtime: entry.runtime } : {}),
      size: entry.size,
      environment: () => modelEnvironment(name, entry),
      // The route table's model routes (lib/http/routeTable.ts), version routes for the registry's version.
      routes: () => modelRoutes(name, routesInfo(entry)),
    },
    ctx,
    authorizer,
    problems,
  );
}

/** A Lambda function that serves models: a model's own, or a pipeline's (pipelineFunction.ts). */
export interface LambdaFunctionSpec {
  /** The registry key: the function's key and the name in its messages. */
  name: string;
  kind: 'model' | 'pipeline';
  handler: string;
  settings: Pick<ModelEntry, 'architecture' | 'memorySize' | 'timeout' | 'reservedConcurrency'>;
  runtime?: LambdaNodeRuntime;
  /** Bytes of every weight file it holds in /tmp at once (undefined: unknown). */
  size: number | undefined;
  environment: () => Record<string, string>;
  routes: () => ConcreteRoute[];
}

/**
 * Lambda's limits checked (function name, handler source, /tmp for the weights), each problem
 * named for the registry entry; then the function: defaults sized from the weights, its own role,
 * its routes, only its own bundle.
 */
export function planLambdaFunction(
  spec: LambdaFunctionSpec,
  ctx: PlanContext,
  authorizer: HttpApiEvent['httpApi']['authorizer'],
  problems: string[],
): FunctionConfig | undefined {
  const { name, kind, handler, settings, size } = spec;
  const before = problems.length;
  const fnName = functionName(name, ctx);
  if (fnName.length > LAMBDA_LIMITS.functionName) {
    problems.push(
      `model '${name}': name: the function name '${fnName}' has ${fnName.length} characters, Lambda allows ${LAMBDA_LIMITS.functionName}; shorten the ${kind === 'model' ? 'model ' : ''}name, service or stage`,
    );
  }
  const handlerFile = handler.slice(0, handler.lastIndexOf('.'));
  if (ctx.handlerExists && !ctx.handlerExists(handlerFile)) {
    problems.push(`model '${name}': handler: no source file ${handlerFile}.ts (or .js, .mjs, .cjs, .mts) for '${handler}'`);
  }
  const ephemeralStorageSize = size === undefined ? undefined : ephemeralStorageMb(size);
  if (ephemeralStorageSize !== undefined && ephemeralStorageSize > LAMBDA_LIMITS.ephemeralMb.max) {
    problems.push(
      kind === 'model'
        ? `model '${name}': size: ${size} bytes of weights need ${ephemeralStorageSize} MB of /tmp, Lambda allows ${LAMBDA_LIMITS.ephemeralMb.max}; serve this model from a container`
        : `model '${name}': models: ${size} bytes of weights together need ${ephemeralStorageSize} MB of /tmp, Lambda allows ${LAMBDA_LIMITS.ephemeralMb.max}; serve this pipeline from a container`,
    );
  }
  if (problems.length > before) return undefined;
  return {
    name: fnName,
    handler,
    ...(spec.runtime ? { runtime: spec.runtime } : {}),
    architecture: settings.architecture ?? MODEL_FUNCTION_DEFAULTS.architecture,
    memorySize: settings.memorySize ?? memorySizeMb(size),
    timeout: settings.timeout ?? MODEL_FUNCTION_DEFAULTS.timeout,
    ...(ephemeralStorageSize === undefined ? {} : { ephemeralStorageSize }),
    environment: spec.environment(),
    role: roleLogicalId(name, ctx),
    ...(settings.reservedConcurrency === undefined ? {} : { reservedConcurrency: settings.reservedConcurrency }),
    events: spec.routes().map(({ method, path }) => httpApiEvent(method, path, authorizer)),
    package: onlyOwnBundle(handlerFile, ctx),
  };
}

export function onlyOwnBundle(handlerFile: string, ctx: PlanContext): { patterns: string[] } {
  const bundle = `${handlerFile}${ctx.bundleExtension}`;
  return { patterns: ['!**', bundle, `${bundle}.map`] };
}

function withFile(pkg: { patterns: string[] }, file: string): { patterns: string[] } {
  return { patterns: [...pkg.patterns, file] };
}

/** The runtime's whole configuration: handlers read nothing but these variables. */
export function modelEnvironment(name: string, entry: ModelEntry): Record<string, string> {
  const env: Record<string, string> = { [ENV.modelName]: name, [ENV.modelUri]: entry.weights };
  // `onnxless push` writes `<model>/<version>/model.onnx`: the version OIP metadata reports.
  const version = versionOfWeights(entry.weights);
  if (version !== undefined) env[ENV.modelVersion] = version;
  if (entry.sha256 !== undefined) env[ENV.modelSha256] = entry.sha256;
  if (entry.eager !== undefined) env[ENV.eager] = String(entry.eager);
  if (entry.intraOpThreads !== undefined) env[ENV.intraOpThreads] = String(entry.intraOpThreads);
  if (entry.graphOptimization !== undefined) env[ENV.graphOptimization] = entry.graphOptimization;
  if (entry.executionProviders !== undefined) env[ENV.executionProviders] = entry.executionProviders.join(',');
  return env;
}

/** Route key -> throttle for each Lambda model whose entry sets its own; the rest take the API default. */
function modelThrottles(registry: Registry, plan: DeploymentPlan): Record<string, Throttle> {
  const throttles: Record<string, Throttle> = {};
  for (const [name, entry] of Object.entries(registry.models)) {
    if (!entry.throttle || !plan.functions[name]) continue;
    for (const { httpApi } of plan.functions[name].events) throttles[`${httpApi.method} ${httpApi.path}`] = entry.throttle;
  }
  return throttles;
}

/** The route table's view of a registry entry: its version (when its key names one) and domain route. */
export function routesInfo(entry: ModelEntry): ModelRoutesInfo {
  const version = versionOfWeights(entry.weights);
  // A model with its own handler has its own pre/post-processing: the domain route.
  return { versions: version === undefined ? [] : [version], predict: entry.handler !== undefined && entry.handler !== DEFAULT_MODEL_HANDLER };
}

/**
 * The server routes, plus the `$default` route: API Gateway hands the server function every
 * request no other route matches (an unknown model, path, version or method), and it answers
 * onnxless's own 404/405 `{"error"}` instead of API Gateway's `{"message":"Not Found"}`. It
 * knows the deployment's models from ONNXLESS_MODEL_CATALOG, to name them in those answers.
 */
function planServerFunction(registry: Registry, ctx: PlanContext, authorizer: HttpApiEvent['httpApi']['authorizer']): FunctionConfig {
  const catalog = Object.fromEntries(
    Object.entries(registry.models)
      .filter(([, entry]) => entry.runtime !== 'gpu')
      .map(([name, entry]) => [name, routesInfo(entry)]),
  );
  for (const [name, entry] of Object.entries(registry.pipelines ?? {})) Object.assign(catalog, pipelineCatalog(name, entry));
  const catalogText = formatCatalog(catalog);
  // Lambda allows 4 KB of environment per function (names and values): about 150 models here.
  if (catalogText.length > LAMBDA_LIMITS.environmentBytes - 512) {
    throw new RegistryError([
      `models: ${Object.keys(catalog).length} Lambda models make a ${catalogText.length}-character ${ENV.modelCatalog} for the server function, over Lambda's 4 KB of environment; split the models over two services`,
    ]);
  }
  return {
    name: functionName(SERVER_FUNCTION.key, ctx),
    handler: SERVER_FUNCTION.handler,
    architecture: SERVER_FUNCTION.architecture,
    memorySize: SERVER_FUNCTION.memorySize,
    timeout: SERVER_FUNCTION.timeout,
    environment: { [ENV.openApiFile]: OPENAPI_FILE, [ENV.modelCatalog]: catalogText },
    role: roleLogicalId(SERVER_FUNCTION.key, ctx),
    events: [
      ...serverRoutes().map(({ method, path }) => httpApiEvent(method, path, authorizer)),
      // /docs, /playground and their files open in a browser, which cannot sign SigV4 or attach
      // a token: no authorizer. They show the API's description; every call they make is an API
      // route that keeps its authorizer (lib/web). `api.pages: false` leaves them to $default.
      ...(registry.api.pages ? pageRoutes() : []).map(({ method, path }) => httpApiEvent(method, path, undefined)),
      httpApiEvent('*', '*', authorizer),
    ],
    package: withFile(onlyOwnBundle(SERVER_FUNCTION.handler.slice(0, SERVER_FUNCTION.handler.lastIndexOf('.')), ctx), OPENAPI_FILE),
  };
}

function routeAuthorizer(auth: AuthConfig, plan: DeploymentPlan): HttpApiEvent['httpApi']['authorizer'] {
  switch (auth.type) {
    case 'iam':
      return { type: 'aws_iam' };
    case 'jwt':
      plan.authorizers[JWT_AUTHORIZER] = {
        type: 'jwt',
        identitySource: '$request.header.Authorization',
        issuerUrl: auth.issuer,
        audience: auth.audience,
      };
      return { name: JWT_AUTHORIZER };
    case 'none':
      return undefined;
  }
}

export function httpApiEvent(method: HttpApiEvent['httpApi']['method'], path: string, authorizer: HttpApiEvent['httpApi']['authorizer']): HttpApiEvent {
  return { httpApi: { method, path, ...(authorizer ? { authorizer } : {}) } };
}

function isLambdaNodeRuntime(runtime: string | undefined): runtime is LambdaNodeRuntime {
  return (LAMBDA_NODE_RUNTIMES as readonly string[]).includes(runtime ?? '');
}

/** A layer is shared by every function of its architecture: it lists each runtime among them. */
export function useLayers(layers: LayerName[], architecture: Architecture, runtime: string, ctx: PlanContext, plan: DeploymentPlan): Cfn[] {
  return [...new Set(layers)].map((layer) => {
    const key = layerKey(layer, architecture);
    const existing = plan.layers[key];
    if (existing && !existing.compatibleRuntimes.includes(runtime)) existing.compatibleRuntimes.push(runtime);
    if (!existing) {
      const artifact = path.relative(ctx.root, layerPaths(ctx.root, layer, architecture).zip).split(path.sep).join('/');
      plan.layers[key] = {
        name: `${ctx.service}-${ctx.stage}-${layer}-${architecture}`,
        description: LAYER_DESCRIPTIONS[layer],
        package: { artifact },
        compatibleRuntimes: [runtime],
        compatibleArchitectures: [architecture],
        licenseInfo: layer === 'onnxruntime' ? 'MIT' : 'Apache-2.0 AND LGPL-3.0-or-later',
      };
      plan.layerBuilds.push({ layer, architecture });
    }
    return { Ref: ctx.naming.getLambdaLayerLogicalId(key) };
  });
}

/** `onnxruntimeX8664`, `sharpArm64`: keys that survive the framework's logical-id normalisation. */
export function layerKey(layer: LayerName, architecture: Architecture): string {
  return `${layer}${architecture === 'x86_64' ? 'X8664' : 'Arm64'}`;
}

export function functionName(key: string, ctx: Pick<PlanContext, 'service' | 'stage'>): string {
  return `${ctx.service}-${ctx.stage}-${key}`;
}

export function roleLogicalId(key: string, ctx: Pick<PlanContext, 'naming'>): string {
  return `${ctx.naming.getNormalizedFunctionName(key)}OnnxlessRole`;
}

const partition = { Ref: 'AWS::Partition' };

/**
 * One role per function: write its own log group, and read exactly its model's objects (one object,
 * or the objects under its model directory's prefix), nothing
 * bucket-wide (no ListBucket: a missing object reads as 403, which the runtime reports as 503
 * naming the key).
 */
export function functionRole(key: string, fnName: string, weights?: { bucket: string; key: string } | readonly { bucket: string; key: string }[]): Cfn {
  const statements: Cfn[] = [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fnName}:*` }],
    },
  ];
  // A pipeline's function reads each of its models' objects, and nothing else.
  const objects = weights === undefined ? [] : [weights].flat();
  if (objects.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: objects.map((w) => ({ 'Fn::Join': ['', ['arn:', partition, `:s3:::${modelObjectsResource(w)}`]] })),
    });
  }
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      Policies: [{ PolicyName: `onnxless-${key}`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
    },
  };
}

/** Private, encrypted (SSE-S3: no KMS grant needed), versioned; kept when the stack is removed. */
function bucketResources(name: string): Record<string, Cfn> {
  const bucketArn = { 'Fn::Join': ['', ['arn:', partition, `:s3:::${name}`]] };
  const objectsArn = { 'Fn::Join': ['', ['arn:', partition, `:s3:::${name}/*`]] };
  return {
    [BUCKET_LOGICAL_ID]: {
      Type: 'AWS::S3::Bucket',
      // Weights outlive the stack: `serverless remove` must not delete models nobody can rebuild.
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BucketName: name,
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      },
    },
    [`${BUCKET_LOGICAL_ID}Policy`]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: { Ref: BUCKET_LOGICAL_ID },
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [bucketArn, objectsArn],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        },
      },
    },
  };
}
