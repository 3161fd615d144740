import { z } from 'zod';
import { ExecutionProviderSchema, GraphOptimizationSchema, Sha256Schema, wholeNumber } from './fieldSchemas';
import { BUCKET_NAME_PATTERN, s3UriProblem } from './s3Uri';
import { ProvisionedConcurrencySchema, RolloutSchema } from './release';
import { BatchJobSchema } from './batch';
import { JOBS_FIELD } from './jobs';
import { MODEL_NAME_PATTERN, MODEL_NAME_RULE } from './modelName';
import { OTHER_MODELS_DIMENSION } from '../observability/modelDimension';
import { DEFAULT_INDEX_TTL_SECONDS, MAX_METRIC_MODELS } from './repositoryFacts';

/**
 * The one schema of `custom.onnxless` in serverless.yml: it validates the registry and types it,
 * for the deploy plugin, the local stack and the CLI alike.
 */

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export { GRAPH_OPTIMIZATION_LEVELS as GRAPH_OPTIMIZATIONS, type GraphOptimizationLevel as GraphOptimization } from '../onnx/SessionOptions';

export const AUTH_TYPES = ['iam', 'jwt', 'none'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

/** Native modules a model's own handler may need beyond onnxruntime, each shipped as a layer. */
export const EXTRA_LAYERS = ['sharp'] as const;
export type ExtraLayer = (typeof EXTRA_LAYERS)[number];

/** How a Lambda-served model is packaged: a zip with layers, or a container image (past the zip limits). */
export const PACKAGE_TYPES = ['zip', 'image'] as const;
export type PackageType = (typeof PACKAGE_TYPES)[number];

/** Lambda's Node runtimes a zip function may name; CI runs the handler tests on both (.ci/run). */
export const LAMBDA_NODE_RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;
export type LambdaNodeRuntime = (typeof LAMBDA_NODE_RUNTIMES)[number];

/**
 * Where a model runs: a Lambda function (`lambda`: on provider.runtime, default nodejs22.x; or on
 * the Node runtime named), or `onnxless serve` on a SageMaker GPU endpoint (`gpu`).
 */
export const RUNTIMES = ['lambda', ...LAMBDA_NODE_RUNTIMES, 'gpu'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** The handler a model gets when its entry names none: OIP v2 over raw tensors. */
export const DEFAULT_MODEL_HANDLER = 'handlers/tensor.handler';

/** Function keys the deployment uses for itself; a model cannot take them. */
export const RESERVED_MODEL_NAMES = ['server'] as const;

export { MODEL_NAME_PATTERN, MODEL_NAME_RULE } from './modelName';

// `path/to/file.exportName`, the form Lambda and serverless use.
const HANDLER_PATTERN = /^[A-Za-z0-9_][\w./-]*\.[A-Za-z_$][\w$]*$/;

const s3Uri = z.string().check((ctx) => {
  const problem = s3UriProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

/**
 * API Gateway throttling of a route: steady requests per second and the burst above it. The
 * default keeps one model from taking the account's Lambda concurrency (1,000 by default, shared
 * by every function in the region) or its bill: raise it per model when traffic needs more.
 */
export const ThrottleSchema = z.strictObject({
  rateLimit: z
    .number()
    .min(0, 'must be at least 0 requests per second')
    .max(10_000, 'must be at most 10000 requests per second')
    .describe('Steady requests per second each route takes (0-10000).'),
  burstLimit: wholeNumber(0, 5_000, 'requests').describe('Requests a route takes at once above the steady rate (0-5000).'),
});
export const DEFAULT_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export const DEFAULT_ACCESS_LOG_RETENTION_DAYS = 30;

/** The HTTP API as a whole: the default throttle of every route, and its access logs. */
export const ApiSchema = z.strictObject({
  throttle: ThrottleSchema.default(DEFAULT_THROTTLE).describe(
    'API Gateway throttling of every route a model does not throttle itself; over the limit, API Gateway answers 429 before any function runs. Default: 50 requests per second, bursts of 100.',
  ),
  pages: z
    .boolean()
    .optional()
    .describe(
      "true: /docs and /playground deployed without an authorizer (a browser cannot sign SigV4 or attach a token), so they show the API's description (model names, routes, versions, region) to anyone with the URL. false: no open route (they fall to $default, behind the API's authorizer). Default: true under auth none, false under iam and jwt.",
    ),
  accessLogs: z
    .union([
      z.literal(false),
      z.strictObject({
        retentionDays: z
          .number()
          .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `expected one of ${LOG_RETENTION_DAYS.join(', ')} days`)
          .default(DEFAULT_ACCESS_LOG_RETENTION_DAYS)
          // `enum`: the refine above, in the JSON Schema editors read (a refine has no JSON form).
          .meta({ description: 'Days CloudWatch Logs keeps the access logs (default 30).', enum: [...LOG_RETENTION_DAYS] }),
      }),
    ])
    .default({ retentionDays: DEFAULT_ACCESS_LOG_RETENTION_DAYS })
    .describe(
      'One JSON line per request (request id, IP, method, route, status, length) in the log group /aws/http-api/<stack>, kept retentionDays days; false: none.',
    ),
});

const BATCH_FIELD = BatchJobSchema.optional().describe(
  'A batch job over an S3 prefix: { input, output, concurrency?, itemsPerInvocation?, toleratedFailurePercent? }; deploys a Step Functions Distributed Map that runs the function over every object under input (docs/batch.md). Default none.',
);

// Descriptions are for the user writing serverless.yml: they travel into the JSON Schema
// (./jsonSchema.ts) that editors show on hover; docs/deploy.md has the long form.
export const ModelEntrySchema = z.strictObject({
  weights: s3Uri.describe(
    "Where the model lives: a model directory s3://bucket/<model>/<version>/ (model.onnx, external data, companion files, manifest.json), or one .onnx object s3://bucket/key. The function may read exactly that prefix's objects, or that one object. No * or ? in the key (IAM would read them as wildcards).",
  ),
  sha256: Sha256Schema.optional().describe(
    "Optional pin, 64 hex characters: the runtime refuses weights whose sha256 differs (a model directory: the sha256 of its manifest.json, which lists every file's sha256).",
  ),
  size: wholeNumber(1, Number.MAX_SAFE_INTEGER, 'bytes')
    .optional()
    .describe(
      "Bytes of the weights (a directory: of all its files); sizes the function's /tmp (ephemeral storage) and its memory default.",
    ),
  handler: z
    .string()
    .regex(HANDLER_PATTERN, "expected 'path/to/file.exportName'")
    .optional()
    .describe(
      `path/file.export; default ${DEFAULT_MODEL_HANDLER} (raw OIP v2 tensors). A handler of your own also gets the domain route POST /models/{name}/predict.`,
    ),
  memorySize: wholeNumber(128, 10_240, 'MB')
    .optional()
    .describe('Lambda memory in MB (128-10240); default 2048, or more for big weights: max(2048, 3 x weights + 1024 MB) in 64 MB steps.'),
  timeout: wholeNumber(1, 900, 'seconds')
    .optional()
    .describe('Lambda timeout in seconds (1-900); default 29. The HTTP API stops waiting at 30 s whatever this says.'),
  architecture: z.enum(ARCHITECTURES).optional().describe('x86_64 (default) or arm64: picks the layer build.'),
  eager: z
    .boolean()
    .optional()
    .describe(
      "Load the model during Lambda's init phase (full CPU, up to 10 s) instead of on the first request; default false, true with provisionedConcurrency.",
    ),
  intraOpThreads: wholeNumber(1, 64, 'threads').optional().describe("onnxruntime's intra-op threads (1-64); default: the runtime's."),
  graphOptimization: GraphOptimizationSchema.optional().describe("onnxruntime's graph optimization level; default: the runtime's."),
  executionProviders: z
    .array(ExecutionProviderSchema)
    .min(1, 'list at least one provider')
    .optional()
    .describe("onnxruntime execution providers in order of preference (cpu, cuda, ...); default: the runtime's (cuda on runtime: gpu)."),
  layers: z
    .array(z.enum(EXTRA_LAYERS))
    .optional()
    .describe('Extra native-module layers the handler needs (image models: sharp); default none.'),
  package: z
    .enum(PACKAGE_TYPES)
    .optional()
    .describe(
      'zip (default: a zip with layers) or image: a Lambda container image built from images/Dockerfile.lambda (past the zip limits).',
    ),
  runtime: z
    .enum(RUNTIMES)
    .optional()
    .describe(
      'lambda (default: a Lambda function on provider.runtime), nodejs22.x or nodejs24.x (a Lambda function on that runtime), or gpu: a SageMaker real-time endpoint running images/Dockerfile.gpu.',
    ),
  instanceType: z
    .string()
    .regex(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/, 'expected a SageMaker instance type such as ml.g5.xlarge')
    .optional()
    .describe('SageMaker instance type of a runtime: gpu model, e.g. ml.g5.xlarge (required with runtime: gpu).'),
  image: z
    .string()
    .regex(
      /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[^\s@:]+(:[\w.-]+|@sha256:[a-f0-9]{64})$/,
      'expected an ECR image URI with a tag or digest',
    )
    .optional()
    .describe(
      "A runtime: gpu model's image already in ECR (<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag> or @sha256:<digest>); default: built from images/Dockerfile.gpu at deploy.",
    ),
  cpuFallback: z
    .boolean()
    .optional()
    .describe('Where a requested execution provider (cuda) cannot load, run on CPU with one WARN line instead of failing; default false.'),
  reservedConcurrency: wholeNumber(0, 10_000, 'instances')
    .optional()
    .describe(
      "Lambda reserved concurrency: at most this many instances at once, taken out of the account's shared pool (0 stops the model); default none.",
    ),
  throttle: ThrottleSchema.optional().describe(
    "API Gateway throttling of this model's routes (requests per second, burst); default: api.throttle.",
  ),
  rollout: RolloutSchema.optional().describe(
    'Canary or linear traffic shifting to each new version through CodeDeploy, rolled back on alarms: { strategy, alarms?, errorRate?, latencyP99Ms? }. Default none: live moves at once.',
  ),
  provisionedConcurrency: ProvisionedConcurrencySchema.optional().describe(
    'Instances kept warm on the live alias: a number (always), or { instances, schedule?: { start, stop, timezone? } }. Billed while configured; turns eager on by default.',
  ),
  tracing: z.boolean().optional().describe("X-Ray tracing of the deployed function and the handler's subsegments; default true."),
  batching: z
    .strictObject({
      maxBatchSize: wholeNumber(1, 4096, 'rows').describe('Most rows the server batches across requests (1: no batching).'),
      maxQueueDelayMs: z
        .number()
        .min(0, 'must be at least 0 ms')
        .max(10_000, 'must be at most 10000 ms')
        .optional()
        .describe('How long a request may wait for others to join its batch, in ms.'),
    })
    .optional()
    .describe("Dynamic batching on the container server (Triton's max_batch_size and max_queue_delay); default: no batching."),
  batch: BATCH_FIELD,
});

/** The function settings an entry of several models (a pipeline, a repository) takes as a model entry does. */
const FUNCTION_FIELDS = {
  timeout: ModelEntrySchema.shape.timeout,
  architecture: ModelEntrySchema.shape.architecture,
  intraOpThreads: ModelEntrySchema.shape.intraOpThreads,
  graphOptimization: ModelEntrySchema.shape.graphOptimization,
  layers: ModelEntrySchema.shape.layers,
  reservedConcurrency: ModelEntrySchema.shape.reservedConcurrency,
  throttle: ModelEntrySchema.shape.throttle,
};

/** A member's role in its pipeline (`detection`); the model is served as `<pipeline>-<role>`. */
const RoleSchema = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,18}[a-z0-9])?$/, 'role: expected 1-20 lowercase letters, digits or hyphens');

/** One model of a pipeline: its own weights, pin and size, as a model entry has them. */
export const PipelineMemberSchema = z.strictObject({
  weights: s3Uri.describe("The member's model directory s3://bucket/<model>/<version>/ (or one .onnx object s3://bucket/key)."),
  sha256: ModelEntrySchema.shape.sha256,
  size: ModelEntrySchema.shape.size,
});

/**
 * `kind: pipeline`: one function holding several models, wired by the TypeScript pipeline its
 * handler declares (lib/core/pipeline/MultiModelPipeline.ts). `models` maps each role the pipeline
 * names to a model; each keeps its OIP routes as `<pipeline>-<role>` on the same function.
 */
export const PipelineEntrySchema = z.strictObject({
  kind: z
    .literal('pipeline')
    .describe('pipeline: one function holding several models, wired by the pipeline its handler declares (docs/pipelines.md).'),
  handler: z
    .string()
    .regex(HANDLER_PATTERN, "expected 'path/to/file.exportName'")
    .describe("path/file.export of the module that declares the pipeline's steps."),
  models: z
    .record(RoleSchema, PipelineMemberSchema)
    .refine((m) => Object.keys(m).length > 0, 'list at least one model')
    .describe(
      'Role -> model, each its own model directory with its own pin; served as <pipeline>-<role> (ocr + detection: ocr-detection).',
    ),
  memorySize: ModelEntrySchema.shape.memorySize,
  eager: ModelEntrySchema.shape.eager,
  batch: ModelEntrySchema.shape.batch,
  ...FUNCTION_FIELDS,
});

/** The name a pipeline member is served under: `ocr` + `detection` -> `ocr-detection`. */
export function memberModelName(pipeline: string, role: string): string {
  return `${pipeline}-${role}`;
}

export { DEFAULT_INDEX_TTL_SECONDS, REPOSITORY_INDEX_NAME } from './repositoryFacts';

/**
 * `kind: repository`: one function serving every model of a model repository, a prefix of S3
 * holding `index.json` (each model's directory and pin) and the models' directories. Models are
 * added with `onnxless push --repository` and served without a redeploy (docs/repository.md).
 */
export const RepositoryEntrySchema = z.strictObject({
  kind: z
    .literal('repository')
    .describe(
      'repository: one function serving every model listed in the index.json at prefix, pushed without a redeploy (docs/repository.md).',
    ),
  prefix: s3Uri
    .refine((uri) => uri.endsWith('/'), "expected a prefix ending in '/', e.g. s3://bucket/models/")
    .describe(
      "The repository's S3 prefix, ending in '/': its index.json and each model's directory <model>/<version>/ under it. The function may read exactly that prefix's objects.",
    ),
  handler: z
    .string()
    .regex(HANDLER_PATTERN, "expected 'path/to/file.exportName'")
    .optional()
    .describe(
      'path/file.export of a module exporting `pipeline` (a domain route POST /models/{name}/predict shared by every model of the repository); default: raw OIP v2 tensors only.',
    ),
  memorySize: wholeNumber(128, 10_240, 'MB')
    .optional()
    .describe('Lambda memory in MB (128-10240); default 2048. The loaded sessions are kept within sessionMemoryMB of it.'),
  ephemeralStorage: wholeNumber(512, 10_240, 'MB')
    .optional()
    .describe("Lambda's /tmp in MB (512-10240); default 512. The models' files are kept within it, least recently used removed first."),
  sessionMemoryMB: wholeNumber(16, 10_240, 'MB')
    .optional()
    .describe(
      'Memory the loaded sessions may take, in MB; default: the function memory less 512 MB for the runtime, at least a quarter of it. Past it the least recently used model is unloaded (never during its request).',
    ),
  maxLoadedModels: wholeNumber(1, 100_000, 'models')
    .optional()
    .describe('Most models loaded at once, whatever their size; default: no count limit (the memory budget alone).'),
  indexTtlSeconds: wholeNumber(0, 3_600, 'seconds')
    .optional()
    .describe(
      `Seconds the function trusts the index it read before revalidating it with S3 (a conditional GET); default ${DEFAULT_INDEX_TTL_SECONDS}. A pushed model answers within this time.`,
    ),
  metricModels: z
    .array(z.string().regex(MODEL_NAME_PATTERN, 'expected a model name (lowercase letters, digits, hyphens)'))
    .max(MAX_METRIC_MODELS)
    .optional()
    .describe(
      `The models whose CloudWatch metrics keep a model dimension of their own (at most ${MAX_METRIC_MODELS}); every other model of the repository counts under model '${OTHER_MODELS_DIMENSION}', its name still in each document as modelName. Default: every model its own (CloudWatch bills each as metrics of their own).`,
    ),
  ...FUNCTION_FIELDS,
});

export const BucketSchema = z.strictObject({
  name: z
    .string()
    .regex(BUCKET_NAME_PATTERN, 'expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)')
    .describe(
      'The bucket of the weights (3-63 lowercase letters, digits, dots, hyphens). S3 bucket names are global: pick one of your own.',
    ),
  create: z
    .boolean()
    .default(true)
    .describe(
      'true (default): the stack creates the bucket (SSE-S3, versioned, public access blocked, retained on remove). false: it exists already and the stack leaves it alone.',
    ),
});

const AuthObjectSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('iam') }),
    z.strictObject({ type: z.literal('none') }),
    z.strictObject({
      type: z.literal('jwt'),
      issuer: z
        .url({ protocol: /^https$/, error: 'expected the https URL of the token issuer' })
        .describe('The https URL of the token issuer.'),
      audience: z
        .union([z.string().min(1), z.array(z.string().min(1)).min(1)], { error: 'expected an audience or a list of them' })
        .transform((a) => (Array.isArray(a) ? a : [a]))
        .describe('The audience a token must name, or a list of them.'),
    }),
  ],
  { error: `expected type ${AUTH_TYPES.join(', ')}` },
);

/** `auth: none` is shorthand for `auth: { type: none }`; leaving auth out means IAM, never none. */
export const AuthSchema = z.preprocess((v) => (typeof v === 'string' ? { type: v } : v), AuthObjectSchema);

const ModelNameSchema = z
  .string()
  .regex(MODEL_NAME_PATTERN, MODEL_NAME_RULE)
  .refine((name) => !(RESERVED_MODEL_NAMES as readonly string[]).includes(name), 'name: reserved for the server-level function');

export const RegistrySchema = z
  .strictObject({
    bucket: BucketSchema.describe('The S3 bucket the weights live in, and whether this stack creates it.'),
    auth: AuthSchema.default({ type: 'iam' }).describe(
      'Who may call the routes: iam (default: SigV4-signed calls), { type: jwt, issuer, audience } (a JWT authorizer, https issuer), or none (open to the internet: only when written, never by omission).',
    ),
    api: ApiSchema.default({
      throttle: DEFAULT_THROTTLE,
      accessLogs: { retentionDays: DEFAULT_ACCESS_LOG_RETENTION_DAYS },
    }).describe('The HTTP API as a whole: the default throttle of every route, its access logs, the browser pages. Every field optional.'),
    models: z
      .record(ModelNameSchema, ModelEntrySchema)
      .default({})
      .describe(
        'The models served, by name: each becomes its own Lambda function (or a SageMaker endpoint; kind: pipeline, one function of several models). Names: lowercase DNS labels of at most 40 characters; server is reserved.',
      ),
    jobs: JOBS_FIELD,
    /** Entries of `models` with `kind: pipeline`, set apart by parseRegistry (parse.ts); absent when none. */
    pipelines: z.record(ModelNameSchema, PipelineEntrySchema).optional(),
    /** Entries of `models` with `kind: repository`, set apart likewise; absent when none. */
    repositories: z.record(ModelNameSchema, RepositoryEntrySchema).optional(),
  })
  .superRefine((registry, ctx) => {
    // Every model a URL names is unique: a pipeline member's `<pipeline>-<role>` included.
    const pipelines = registry.pipelines ?? {};
    const taken = new Set([...Object.keys(registry.models), ...Object.keys(pipelines)]);
    for (const [pipeline, entry] of Object.entries(pipelines)) {
      for (const role of Object.keys(entry.models)) {
        const name = memberModelName(pipeline, role);
        if (!MODEL_NAME_PATTERN.test(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['pipelines', pipeline, 'models', role],
            message: `the model name '${name}' is over 40 characters: shorten the role or the pipeline's name`,
          });
        } else if (taken.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['pipelines', pipeline, 'models', role],
            message: `serves as model '${name}', a name another entry takes: rename one`,
          });
        }
        taken.add(name);
      }
    }
    // A repository's models are found at request time under `/v2/models/{model}`: the deployed
    // API sends every model name no other entry takes to that one function, so there is one.
    const repositories = Object.keys(registry.repositories ?? {});
    for (const extra of repositories.slice(1)) {
      ctx.addIssue({
        code: 'custom',
        path: ['repositories', extra],
        message: `a registry serves at most one kind: repository entry ('${repositories[0]}' is one): push these models to it instead`,
      });
    }
  });

export type ModelEntryInput = z.input<typeof ModelEntrySchema>;
export type ModelEntry = z.output<typeof ModelEntrySchema>;
export type PipelineEntry = z.output<typeof PipelineEntrySchema>;
export type PipelineMember = z.output<typeof PipelineMemberSchema>;
export type RepositoryEntry = z.output<typeof RepositoryEntrySchema>;
export type BucketConfig = z.output<typeof BucketSchema>;
export type AuthConfig = z.output<typeof AuthSchema>;
export type ApiConfig = z.output<typeof ApiSchema>;
export type Throttle = z.output<typeof ThrottleSchema>;
export type RegistryInput = z.input<typeof RegistrySchema>;
export type Registry = z.output<typeof RegistrySchema>;
export type ModelField = keyof ModelEntryInput;

/** Field order used when writing an entry, so new entries read the same way in every file. */
export const MODEL_FIELDS = Object.keys(ModelEntrySchema.shape) as ModelField[];
