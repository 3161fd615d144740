import type { Architecture, LambdaNodeRuntime } from '../../core/registry/index';
import type { HttpMethod } from '../../core/http/routeTable';
import type { ApiLimits } from './apiLimits';
import type { EcrImage } from './containers';
import type { LayerName } from './layers';

/**
 * What the framework deploys for a registry (plan.ts makes it), and the service it is planned for.
 * Types only: the planning steps (lambdaFunction.ts, pipelineFunction.ts, functionRole.ts,
 * layerConfig.ts) and the plugin all read them, and none of them imports another for its types.
 */

/** A CloudFormation resource, output or intrinsic, as the framework merges it. */
export type Cfn = Record<string, unknown>;

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
  /** Asynchronous invocations (asyncJobs.ts): the framework's own settings, compiled on the `live` alias. */
  destinations?: { onFailure: { type: 'function'; arn: Cfn } };
  maximumRetryAttempts?: number;
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
