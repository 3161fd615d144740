import { NamedError } from '../errors';
/**
 * The name of every environment variable lib/ and scripts/ read, and the typed helpers that read
 * them (each fails naming the variable): no other file of theirs reads a variable by a literal
 * name. Not named here: the `${env:NAME}` a user writes in serverless.yml (lib/core/registry/variables.ts
 * resolves it), and what the AWS SDK and Powertools read on their own. Readers take the
 * environment as a parameter defaulting to process.env (`env: Env = process.env`), as the helpers
 * do, so a test or the CLI can hand over another. The CLI and the local stack also write
 * process.env (the local S3 server's endpoint and credentials, the cache folder) for the SDK and
 * the processes they start. The ONNXLESS_ names are part of the public contract (the serverless
 * plugin and users set them): keep them stable.
 */
export const ENV = {
  modelName: 'ONNXLESS_MODEL_NAME',
  modelUri: 'ONNXLESS_MODEL_URI',
  modelSha256: 'ONNXLESS_MODEL_SHA256',
  cacheDir: 'ONNXLESS_CACHE_DIR',
  eager: 'ONNXLESS_EAGER',
  intraOpThreads: 'ONNXLESS_INTRA_OP_THREADS',
  graphOptimization: 'ONNXLESS_GRAPH_OPTIMIZATION',
  executionProviders: 'ONNXLESS_EXECUTION_PROVIDERS',
  maxBodyBytes: 'ONNXLESS_MAX_BODY_BYTES',
  maxTensorElements: 'ONNXLESS_MAX_TENSOR_ELEMENTS',
  modelVersion: 'ONNXLESS_MODEL_VERSION',
  /** Time kept back from Lambda's remaining time for answering a deadline (503/504) in ms. */
  deadlineMarginMs: 'ONNXLESS_DEADLINE_MARGIN_MS',
  /** A batch invocation's items whose model runs are stacked into one (lib/core/batch/StackedRuns.ts). */
  batchItemsPerRun: 'ONNXLESS_BATCH_ITEMS_PER_RUN',
  /** Powertools' own standard names. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Server function: the OpenAPI document shipped in its package, relative to the task root. */
  openApiFile: 'ONNXLESS_OPENAPI_FILE',
  /** Server function: the deployment's models, versions and domain routes (lib/core/http/modelCatalog.ts). */
  modelCatalog: 'ONNXLESS_MODEL_CATALOG',
  downloadPartBytes: 'ONNXLESS_DOWNLOAD_PART_BYTES',
  downloadConcurrency: 'ONNXLESS_DOWNLOAD_CONCURRENCY',
  /** `sdk`: fetch weights through the AWS SDK's client even where the signed GET would do (lib/core/sources/defaultS3Reader.ts). */
  s3Client: 'ONNXLESS_S3_CLIENT',
  // The container server (`onnxless serve`): the same image runs as a Lambda function or, with
  // these, as a long-running server.
  port: 'ONNXLESS_PORT',
  workers: 'ONNXLESS_WORKERS',
  modelDir: 'ONNXLESS_MODEL_DIR',
  cpuFallback: 'ONNXLESS_CPU_FALLBACK',
  pipeline: 'ONNXLESS_PIPELINE',
  /** A pipeline function's member models: JSON `{role: {name, uri, sha256?, version?}}` (lib/lambda/pipelineConfigFromEnv.ts). */
  pipelineModels: 'ONNXLESS_PIPELINE_MODELS',
  /**
   * A repository function (`kind: repository`, lib/lambda/repositoryConfigFromEnv.ts): the entry's
   * name and prefix, the sessions' memory budget and model count, the files' budget in /tmp, and
   * the index's TTL.
   */
  repositoryName: 'ONNXLESS_REPOSITORY_NAME',
  repositoryPrefix: 'ONNXLESS_REPOSITORY_PREFIX',
  repositorySessionMb: 'ONNXLESS_REPOSITORY_SESSION_MB',
  repositoryMaxModels: 'ONNXLESS_REPOSITORY_MAX_MODELS',
  repositoryDiskMb: 'ONNXLESS_REPOSITORY_DISK_MB',
  repositoryIndexTtlSeconds: 'ONNXLESS_REPOSITORY_INDEX_TTL_SECONDS',
  repositoryMetricModels: 'ONNXLESS_REPOSITORY_METRIC_MODELS',
  maxBatchSize: 'ONNXLESS_MAX_BATCH_SIZE',
  maxQueueDelayMs: 'ONNXLESS_MAX_QUEUE_DELAY_MS',
  maxQueueSize: 'ONNXLESS_MAX_QUEUE_SIZE',
  /** serve's API keys, comma-separated: each a key or `sha256:<hex>` of one (lib/serve/ApiKeys.ts). */
  apiKeys: 'ONNXLESS_API_KEYS',
  /** serve's API keys file (auth.apiKeysFile). */
  apiKeysFile: 'ONNXLESS_API_KEYS_FILE',
  /** The serve routes open without a key, comma-separated (auth.open); `none` for none. */
  authOpen: 'ONNXLESS_AUTH_OPEN',
  /**
   * Asynchronous requests (lib/core/jobs): where a function keeps its jobs (`s3://bucket/prefix/`;
   * unset: `Prefer: respond-async` is ignored), the function:alias its Lambda runs invoke, and the
   * hosts a webhook may name (comma-separated; none: webhooks refused; `*`: any).
   */
  jobsUri: 'ONNXLESS_JOBS_URI',
  jobsFunction: 'ONNXLESS_JOBS_FUNCTION',
  webhookHosts: 'ONNXLESS_WEBHOOK_HOSTS',
  /** `json` (default: Powertools JSON lines and EMF, as on Lambda) or `compact` (one line per request, for a terminal). */
  logFormat: 'ONNXLESS_LOG_FORMAT',
  // The local stack (`npm start`): its folder, ports and registry file.
  localDir: 'ONNXLESS_LOCAL_DIR',
  localS3Port: 'ONNXLESS_LOCAL_S3_PORT',
  localHttpPort: 'ONNXLESS_LOCAL_HTTP_PORT',
  localLambdaPort: 'ONNXLESS_LOCAL_LAMBDA_PORT',
  config: 'ONNXLESS_CONFIG',
  /** `npm run train` (scripts/train.ts): which model folder of the local stack it trains into. */
  trainModel: 'ONNXLESS_TRAIN_MODEL',

  // Read, never set for users: the platform's own names (Lambda, the AWS SDK's standard variables,
  // Powertools, serverless-offline, npm).
  region: 'AWS_REGION',
  defaultRegion: 'AWS_DEFAULT_REGION',
  /** An S3-compatible server (the local stack's, MinIO): read before AWS_ENDPOINT_URL, as the SDK does. */
  s3EndpointUrl: 'AWS_ENDPOINT_URL_S3',
  endpointUrl: 'AWS_ENDPOINT_URL',
  /** The Lambda API's endpoint (the local stack's serverless-offline), read by the SDK's Lambda client. */
  lambdaEndpointUrl: 'AWS_ENDPOINT_URL_LAMBDA',
  accessKeyId: 'AWS_ACCESS_KEY_ID',
  secretAccessKey: 'AWS_SECRET_ACCESS_KEY',
  sessionToken: 'AWS_SESSION_TOKEN',
  useFipsEndpoint: 'AWS_USE_FIPS_ENDPOINT',
  useDualstackEndpoint: 'AWS_USE_DUALSTACK_ENDPOINT',
  /** Set inside Lambda (`AWS_Lambda_nodejs22.x`); the Amplify mock sets `AWS_Lambda_amplify-mock`. */
  executionEnv: 'AWS_EXECUTION_ENV',
  samLocal: 'AWS_SAM_LOCAL',
  traceEnabled: 'POWERTOOLS_TRACE_ENABLED',
  xrayDaemonAddress: 'AWS_XRAY_DAEMON_ADDRESS',
  /** The function's own name, set by Lambda (and serverless-offline). */
  functionName: 'AWS_LAMBDA_FUNCTION_NAME',
  /** The published version an alias invoked, or $LATEST. */
  functionVersion: 'AWS_LAMBDA_FUNCTION_VERSION',
  functionMemorySize: 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  taskRoot: 'LAMBDA_TASK_ROOT',
  /** serverless-offline's mark on the functions it emulates. */
  isOffline: 'IS_OFFLINE',
  /** The CLI script of the npm that runs this process (`npm create`, `npx`). */
  npmExecPath: 'npm_execpath',
} as const;

/** An environment: process.env, or the one a test or the CLI hands over. */
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends NamedError {}

export function requiredString(name: string, env: Env = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new ConfigError(`environment variable ${name} is required`);
  return value.trim();
}

export function optionalString(name: string, env: Env = process.env): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function optionalPositiveInt(name: string, env: Env = process.env): number | undefined {
  const raw = optionalString(name, env);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`environment variable ${name} must be a positive integer, got '${raw}'`);
  }
  return value;
}

export function optionalPort(name: string, fallback: number, env: Env = process.env): number {
  const port = optionalPositiveInt(name, env) ?? fallback;
  if (port > 65_535) throw new ConfigError(`environment variable ${name} must be a TCP port (1-65535), got '${port}'`);
  return port;
}

export function optionalEnum<T extends string>(name: string, values: readonly T[], env: Env = process.env): T | undefined {
  const raw = optionalString(name, env);
  if (raw === undefined) return undefined;
  if (!(values as readonly string[]).includes(raw))
    throw new ConfigError(`environment variable ${name} must be one of ${values.join(', ')}, got '${raw}'`);
  return raw as T;
}

export function optionalBoolean(name: string, env: Env = process.env): boolean | undefined {
  const raw = optionalString(name, env)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`environment variable ${name} must be true or false, got '${raw}'`);
}

export function optionalList(name: string, env: Env = process.env): string[] | undefined {
  const raw = optionalString(name, env);
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
