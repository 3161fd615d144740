import { createHash } from 'node:crypto';
import { ENV } from '../../core/config/env';
import { modelObjectsResource, parseS3Uri, type Architecture, type ModelEntry } from '../../core/registry/index';
import { pipelineOfHandler } from '../../serve/registryModels';

export { pipelineOfHandler };

/**
 * The container-based deployments, kept apart from the zip path in plan.ts:
 * - `package: image`: the model's Lambda function runs a container image built from
 *   images/Dockerfile.lambda (provider.ecr.images; the framework builds and pushes it);
 * - `runtime: gpu`: no Lambda at all, but a SageMaker real-time endpoint (Model, EndpointConfig,
 *   Endpoint) running images/Dockerfile.gpu, i.e. `onnxless serve`, on the entry's instance type.
 */

type Cfn = Record<string, unknown>;

export const LAMBDA_DOCKERFILE = 'images/Dockerfile.lambda';
export const GPU_DOCKERFILE = 'images/Dockerfile.gpu';
/** provider.ecr.images key of the GPU image when the registry names none: built once for every GPU model. */
export const GPU_IMAGE_NAME = 'onnxless-gpu';
/** Stands in the template for the GPU image's URI until the plugin has built and pushed it. */
export const GPU_IMAGE_PLACEHOLDER = '${onnxless:gpu-image}';

export interface EcrImage {
  path: string;
  file: string;
  buildArgs?: Record<string, string>;
  platform: string;
}

/** provider.ecr.images keys: a letter first, 2-32 of [a-z0-9-_] (the framework's pattern). */
export function lambdaImageName(model: string): string {
  const name = `img-${model}`;
  if (name.length <= 32) return name;
  return `img-${model.slice(0, 19)}-${createHash('sha256').update(model).digest('hex').slice(0, 8)}`;
}

/** The Lambda image of one model: weights fetched from S3 at init, its handler behind `index.handler`. */
export function lambdaImage(model: string, entry: ModelEntry, handler: string, architecture: Architecture): EcrImage {
  return {
    path: '.',
    file: LAMBDA_DOCKERFILE,
    buildArgs: {
      MODEL_NAME: model,
      MODEL_URI: entry.weights,
      ...(entry.sha256 === undefined ? {} : { MODEL_SHA256: entry.sha256 }),
      HANDLER: handler,
      ARCH: architecture === 'arm64' ? 'arm64' : 'x64',
    },
    platform: architecture === 'arm64' ? 'linux/arm64' : 'linux/amd64',
  };
}

export function gpuImage(): EcrImage {
  return { path: '.', file: GPU_DOCKERFILE, platform: 'linux/amd64' };
}

export interface GpuContext {
  service: string;
  stage: string;
  normalized: string;
  /** The framework's ECR repository (`serverless-<service>-<stage>`) when it builds the image. */
  ecrRepository: string;
}

/** Problems of a `runtime: gpu` entry, or of GPU-only fields on a Lambda one. */
export function containerProblems(name: string, entry: ModelEntry): string[] {
  const problems: string[] = [];
  if (entry.runtime === 'gpu') {
    if (entry.instanceType === undefined) {
      problems.push(`model '${name}': instanceType: required with runtime: gpu (a SageMaker GPU instance such as ml.g5.xlarge)`);
    }
    for (const field of ['layers', 'memorySize', 'timeout', 'architecture'] as const) {
      if (entry[field] !== undefined)
        problems.push(`model '${name}': ${field}: a Lambda setting; runtime: gpu runs on SageMaker (drop it)`);
    }
  } else {
    for (const field of ['instanceType', 'image', 'batching'] as const) {
      if (entry[field] !== undefined) problems.push(`model '${name}': ${field}: only for runtime: gpu`);
    }
  }
  return problems;
}

/** What `onnxless serve` reads in the container: the handler's variables plus the server's. */
export function gpuEnvironment(entry: ModelEntry, base: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    ...base,
    [ENV.executionProviders]: (entry.executionProviders ?? ['cuda']).join(','),
    [ENV.cpuFallback]: String(entry.cpuFallback ?? false),
  };
  const pipeline = pipelineOfHandler(entry.handler);
  if (pipeline !== undefined) env[ENV.pipeline] = pipeline;
  if (entry.batching) {
    env[ENV.maxBatchSize] = String(entry.batching.maxBatchSize);
    if (entry.batching.maxQueueDelayMs !== undefined) env[ENV.maxQueueDelayMs] = String(entry.batching.maxQueueDelayMs);
  }
  return env;
}

const partition = { Ref: 'AWS::Partition' };

/** SageMaker endpoint names: 63 characters of [a-zA-Z0-9-]. */
export function endpointName(name: string, ctx: Pick<GpuContext, 'service' | 'stage'>): string {
  return `${ctx.service}-${ctx.stage}-${name}`;
}

/**
 * Role, Model, EndpointConfig and Endpoint of one GPU model. The role reads exactly the
 * model's weights object, pulls from exactly the image's repository, and writes the endpoint's
 * own log group.
 */
export function gpuEndpointResources(
  name: string,
  entry: ModelEntry,
  env: Record<string, string>,
  ctx: GpuContext,
): { resources: Record<string, Cfn>; outputs: Record<string, Cfn> } {
  const ids = {
    role: `${ctx.normalized}SageMakerRole`,
    model: `${ctx.normalized}SageMakerModel`,
    config: `${ctx.normalized}SageMakerEndpointConfig`,
    endpoint: `${ctx.normalized}SageMakerEndpoint`,
  };
  const weights = parseS3Uri(entry.weights);
  const endpoint = endpointName(name, ctx);
  const repository = entry.image ? repositoryOf(entry.image) : { region: undefined, account: undefined, name: ctx.ecrRepository };
  const repositoryArn = {
    'Fn::Join': [
      '',
      [
        'arn:',
        partition,
        ':ecr:',
        repository.region ?? { Ref: 'AWS::Region' },
        ':',
        repository.account ?? { Ref: 'AWS::AccountId' },
        `:repository/${repository.name}`,
      ],
    ],
  };
  const statements: Cfn[] = [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: [{ 'Fn::Join': ['', ['arn:', partition, `:s3:::${modelObjectsResource(weights)}`]] }],
    },
    {
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Resource: [repositoryArn],
    },
    // GetAuthorizationToken has no resource-level permissions.
    { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      Resource: [
        { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/sagemaker/Endpoints/${endpoint}:*` },
      ],
    },
    {
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricData'],
      Resource: ['*'],
      Condition: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' } },
    },
  ];
  return {
    resources: {
      [ids.role]: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: ['sagemaker.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
          },
          Policies: [{ PolicyName: `onnxless-${name}-sagemaker`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
        },
      },
      [ids.model]: {
        Type: 'AWS::SageMaker::Model',
        Properties: {
          ExecutionRoleArn: { 'Fn::GetAtt': [ids.role, 'Arn'] },
          PrimaryContainer: { Image: entry.image ?? GPU_IMAGE_PLACEHOLDER, Mode: 'SingleModel', Environment: env },
        },
      },
      [ids.config]: {
        Type: 'AWS::SageMaker::EndpointConfig',
        Properties: {
          ProductionVariants: [
            {
              VariantName: 'AllTraffic',
              ModelName: { 'Fn::GetAtt': [ids.model, 'ModelName'] },
              InstanceType: entry.instanceType,
              InitialInstanceCount: 1,
              InitialVariantWeight: 1,
              // Weights come from S3 and CUDA sessions start slowly: /ping may take minutes to turn 200.
              ContainerStartupHealthCheckTimeoutInSeconds: 600,
            },
          ],
        },
      },
      [ids.endpoint]: {
        Type: 'AWS::SageMaker::Endpoint',
        Properties: { EndpointName: endpoint, EndpointConfigName: { 'Fn::GetAtt': [ids.config, 'EndpointConfigName'] } },
      },
    },
    outputs: {
      [`${ctx.normalized}SageMakerEndpointName`]: {
        Description: `SageMaker endpoint serving model '${name}' (POST /invocations = OIP infer)`,
        Value: { 'Fn::GetAtt': [ids.endpoint, 'EndpointName'] },
      },
    },
  };
}

function repositoryOf(uri: string): { region: string; account: string; name: string } {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^@:]+)/.exec(uri);
  if (!match) throw new TypeError(`not an ECR image URI: ${uri}`);
  return { account: match[1] as string, region: match[2] as string, name: match[3] as string };
}
