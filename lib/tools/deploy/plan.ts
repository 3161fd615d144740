import {
  DEFAULT_MODEL_HANDLER,
  LAMBDA_NODE_RUNTIMES,
  parseS3Uri,
  type LambdaNodeRuntime,
  type AuthConfig,
  type ModelEntry,
  type Registry,
  type Throttle,
} from '../../core/registry/index';
import { RegistryError } from '../../core/registry/errors';
import { ENV } from '../../core/config/env';
import {
  GPU_IMAGE_NAME,
  containerProblems,
  gpuEndpointResources,
  gpuEnvironment,
  gpuImage,
  lambdaImage,
  lambdaImageName,
} from './containers';
import { LAMBDA_LIMITS, OPENAPI_FILE, PACKAGE_HANDLERS, SERVER_FUNCTION } from './defaults';
import { apiLimits } from './apiLimits';
import { planBatchJobs } from './batchJobs';
import type { Cfn, DeploymentPlan, FunctionConfig, HttpApiEvent, PlanContext } from './DeploymentPlan';
import { functionRole, roleLogicalId } from './functionRole';
import { functionName, httpApiEvent, onlyOwnBundle, planLambdaFunction } from './lambdaFunction';
import { useLayers } from './layerConfig';
import { pipelineCatalog, planPipelineFunctions } from './pipelineFunction';
import { planRepositoryFunctions } from './repositoryFunction';
import { stackResourceProblems } from './stackLimits';
import { planAsyncJobs } from './asyncJobs';
import { formatCatalog } from '../../core/http/modelCatalog';
import { modelRoutes, pageRoutes, serverRoutes, versionOfWeights, type ModelRoutesInfo } from '../../core/http/routeTable';

/**
 * Registry -> what the framework deploys: one function per model, the server function, the
 * layers they use, one IAM role per function, the bucket. Pure: the plugin merges the result
 * into the service; tests can read it without packaging. The plan's shape is DeploymentPlan.ts.
 */

export const JWT_AUTHORIZER = 'onnxlessJwt';
export const BUCKET_LOGICAL_ID = 'OnnxlessModelBucket';

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
      if (fn.runtime)
        problems.push(`model '${name}': runtime: ${fn.runtime} applies to zip functions; package: image runs the image's own Node`);
      const { handler: _handler, package: _package, runtime: _runtime, ...rest } = fn;
      plan.functions[name] = { ...rest, image: { name: image } };
    } else {
      fn.layers = useLayers(['onnxruntime', ...(entry.layers ?? [])], fn.architecture, fn.runtime ?? ctx.runtime, ctx, plan);
      plan.functions[name] = fn;
    }
    plan.resources[roleLogicalId(name, ctx)] = functionRole(name, fn.name, parseS3Uri(entry.weights));
  }
  planPipelineFunctions(registry, ctx, plan, authorizer, problems);
  planRepositoryFunctions(registry, ctx, plan, authorizer, problems);
  problems.push(...planBatchJobs(registry, ctx, plan));
  if (problems.length > 0) throw new RegistryError(problems);
  planAsyncJobs(registry, ctx, plan);

  plan.functions[SERVER_FUNCTION.key] = planServerFunction(registry, ctx, authorizer);
  plan.api = apiLimits(registry.api, modelThrottles(registry, plan));
  plan.resources[roleLogicalId(SERVER_FUNCTION.key, ctx)] = functionRole(SERVER_FUNCTION.key, functionName(SERVER_FUNCTION.key, ctx));
  const overLimit = stackResourceProblems(plan);
  if (overLimit.length > 0) throw new RegistryError(overLimit);

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
      // The route table's model routes (lib/core/http/routeTable.ts), version routes for the registry's version.
      routes: () => modelRoutes(name, routesInfo(entry)),
    },
    ctx,
    authorizer,
    problems,
  );
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
  return {
    versions: version === undefined ? [] : [version],
    predict: entry.handler !== undefined && entry.handler !== DEFAULT_MODEL_HANDLER,
  };
}

/**
 * The server routes, plus the `$default` route: API Gateway hands the server function every
 * request no other route matches (an unknown model, path, version or method), and it answers
 * onnxless's own 404/405 `{"error"}` instead of API Gateway's `{"message":"Not Found"}`. It
 * knows the deployment's models from ONNXLESS_MODEL_CATALOG where it fits Lambda's 4 KB of
 * environment, else from the OpenAPI document shipped in its zip, which lists every model's routes.
 */
function planServerFunction(registry: Registry, ctx: PlanContext, authorizer: HttpApiEvent['httpApi']['authorizer']): FunctionConfig {
  const catalog = Object.fromEntries(
    Object.entries(registry.models)
      .filter(([, entry]) => entry.runtime !== 'gpu')
      .map(([name, entry]) => [name, routesInfo(entry)]),
  );
  for (const [name, entry] of Object.entries(registry.pipelines ?? {})) Object.assign(catalog, pipelineCatalog(name, entry));
  const catalogText = formatCatalog(catalog);
  // Lambda allows 4 KB of environment per function (names and values): about 150 models fit; past
  // that the server function reads them from the OpenAPI document (catalogFromOpenApi).
  const catalogFits = catalogText.length <= LAMBDA_LIMITS.environmentBytes - 512;
  return {
    name: functionName(SERVER_FUNCTION.key, ctx),
    handler: SERVER_FUNCTION.handler,
    architecture: SERVER_FUNCTION.architecture,
    memorySize: SERVER_FUNCTION.memorySize,
    timeout: SERVER_FUNCTION.timeout,
    environment: { [ENV.openApiFile]: OPENAPI_FILE, ...(catalogFits ? { [ENV.modelCatalog]: catalogText } : {}) },
    role: roleLogicalId(SERVER_FUNCTION.key, ctx),
    events: [
      ...serverRoutes().map(({ method, path }) => httpApiEvent(method, path, authorizer)),
      // /docs, /playground and their files open in a browser, which cannot sign SigV4 or attach
      // a token: open, they need a route without an authorizer, and they show the API's description
      // (model names, routes, versions, region). Only where the API is open anyway, or the registry
      // says `api.pages: true`; otherwise they fall to $default, behind the API's authorizer.
      ...(pagesOpen(registry) ? pageRoutes() : []).map(({ method, path }) => httpApiEvent(method, path, undefined)),
      httpApiEvent('*', '*', authorizer),
    ],
    package: withFile(onlyOwnBundle(SERVER_FUNCTION.handler.slice(0, SERVER_FUNCTION.handler.lastIndexOf('.')), ctx), OPENAPI_FILE),
  };
}

/**
 * Are the browser pages deployed without an authorizer? As the registry says, else only under
 * `auth: none`: an API behind IAM or a JWT does not describe its models to anyone with the URL
 * unless asked to.
 */
function pagesOpen(registry: Pick<Registry, 'api' | 'auth'>): boolean {
  return registry.api.pages ?? registry.auth.type === 'none';
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

function isLambdaNodeRuntime(runtime: string | undefined): runtime is LambdaNodeRuntime {
  return (LAMBDA_NODE_RUNTIMES as readonly string[]).includes(runtime ?? '');
}

const partition = { Ref: 'AWS::Partition' };

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
