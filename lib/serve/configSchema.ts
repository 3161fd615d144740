import { z } from 'zod';
import { ExecutionProviderSchema, GraphOptimizationSchema, Sha256Schema, wholeNumber } from '../core/registry/fieldSchemas';
import { DEFAULT_INDEX_TTL_SECONDS } from '../core/registry/schema';
import { s3UriProblem } from '../core/registry/s3Uri';

/**
 * The serve config's schema and types, apart from the code that reads files and flags, so the
 * registry translation (registryModels.ts) and the reader (config.ts) both import it and not
 * each other.
 */

/** Model names appear in URLs and metric labels: keep them URL-safe. */
export const SERVED_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const BatchingSchema = z.strictObject({
  /** Rows per run (Triton's max_batch_size); 1 turns batching off. */
  maxBatchSize: wholeNumber(1, 4096, 'rows').default(1),
  /** How long a request may wait for others to join its batch (Triton's max_queue_delay_microseconds, in ms). */
  maxQueueDelayMs: z.number().min(0).max(10_000).default(0),
});

export const ServedModelSchema = z.strictObject({
  /** `s3://bucket/key`, `file:///path`, or a path (relative to the config file). */
  weights: z.string().min(1),
  sha256: Sha256Schema.optional(),
  version: z.string().min(1).optional(),
  /** A domain pipeline from lib/core/builtins (`textOrientation`, ...): adds POST /models/{name}/predict. */
  pipeline: z.string().min(1).optional(),
  /** Load at start (default) rather than on the first request. */
  eager: z.boolean().default(true),
  intraOpThreads: wholeNumber(1, 64, 'threads').optional(),
  /**
   * Inference threads of this model's own (Triton's instance_group count): its runs never queue
   * behind other models' runs, they only share the CPU. Default: none, the model runs on the
   * shared pool (`workers`), where models take turns by measured run time.
   */
  workers: wholeNumber(1, 256, 'threads').optional(),
  graphOptimization: GraphOptimizationSchema.optional(),
  /** onnxruntime providers in order of preference: [cuda], [cuda, cpu], [cpu]. */
  executionProviders: z.array(ExecutionProviderSchema).min(1).optional(),
  /** Where a requested provider cannot be loaded, run on CPU (one warning) instead of failing. Default false. */
  cpuFallback: z.boolean().optional(),
  batching: BatchingSchema.default({ maxBatchSize: 1, maxQueueDelayMs: 0 }),
  /** Requests that may wait for a worker; the next one is answered 429 with Retry-After. */
  maxQueueSize: wholeNumber(0, 1_000_000, 'requests').default(128),
  maxBodyBytes: wholeNumber(1, 2 ** 31 - 1, 'bytes').optional(),
  maxTensorElements: wholeNumber(1, Number.MAX_SAFE_INTEGER, 'elements').optional(),
});

/**
 * A model repository (docs/repository.md): every model its `index.json` lists, served on
 * `/v2/models/{name}/...` beside the configured models, each loaded on its first request and
 * kept while the budgets allow. The same settings as a `kind: repository` registry entry.
 */
export const ServedRepositorySchema = z.strictObject({
  /** The entry's name, in logs, metrics and messages. */
  name: z.string().regex(SERVED_NAME_PATTERN).default('repository'),
  /** `s3://bucket/models/`: index.json and each model's directory `<model>/<version>/` under it. */
  prefix: z.string().superRefine((uri, ctx) => {
    const problem = s3UriProblem(uri) ?? (uri.endsWith('/') ? undefined : "expected a prefix ending in '/', e.g. s3://bucket/models/");
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  /** Memory the loaded sessions may take; default as a 2,048 MB repository function's: 1,536. */
  sessionMemoryMB: wholeNumber(16, 1_048_576, 'MB').default(1536),
  /** Most models loaded at once; default: the memory budget alone. */
  maxLoadedModels: wholeNumber(1, 100_000, 'models').optional(),
  /** Bytes of model files kept in the cache folder, in MB; default as a function's 512 MB of /tmp: 460. */
  diskMB: wholeNumber(16, 10_485_760, 'MB').default(460),
  /** Seconds the index read is trusted before it is revalidated: a pushed model answers within this. */
  indexTtlSeconds: wholeNumber(0, 3_600, 'seconds').default(DEFAULT_INDEX_TTL_SECONDS),
  /** A domain pipeline from lib/core/builtins shared by every model: adds POST /models/{name}/predict. */
  pipeline: z.string().min(1).optional(),
  /** Models with a `model` label of their own on /metrics, the first asked for; the rest count under `_other` (default 100). */
  labelledModels: wholeNumber(0, 100_000, 'models').optional(),
  /** Models that keep a `model` label of their own whatever the cap (the registry entry's `metricModels`, as the function's dimensions). */
  metricModels: z.array(z.string().min(1)).optional(),
  intraOpThreads: wholeNumber(1, 64, 'threads').optional(),
  graphOptimization: GraphOptimizationSchema.optional(),
  /** Requests of one model that may wait for a worker; the next one is answered 429. */
  maxQueueSize: wholeNumber(0, 1_000_000, 'requests').default(128),
  maxBodyBytes: wholeNumber(1, 2 ** 31 - 1, 'bytes').optional(),
  maxTensorElements: wholeNumber(1, Number.MAX_SAFE_INTEGER, 'elements').optional(),
});

/** Routes that may answer without an API key: health checks (SageMaker's, a load balancer's, Kubernetes') and Prometheus. */
export const OPENABLE_ROUTES = ['/ping', '/metrics', '/v2/health/live', '/v2/health/ready'] as const;

/**
 * Optional API-key authentication: with any key configured, every route but the `open` ones
 * answers 401 without a valid key (`Authorization: Bearer <key>` or `x-api-key: <key>`). Only the
 * keys' sha256 digests are kept: a config file can hold them instead of the keys.
 */
export const AuthSchema = z.strictObject({
  /** sha256 (hex) of each accepted key. */
  apiKeySha256: z.array(Sha256Schema).default([]),
  /** A file of keys, one a line: the key (at least 16 characters), or `sha256:<hex>` of it; `#` comments. Read at start. */
  apiKeysFile: z.string().min(1).optional(),
  /** What answers without a key. Default: /ping, which health checks call without one. */
  open: z.array(z.enum(OPENABLE_ROUTES)).default(['/ping']),
});

export const ServeConfigSchema = z.strictObject({
  /** 8080 is what SageMaker calls; 0 picks a free port (the chosen one is logged). */
  port: wholeNumber(0, 65_535, 'port').default(8080),
  /** Every interface, as a container needs (its port is published or probed from outside); `127.0.0.1` for this machine only. */
  host: z.string().min(1).default('0.0.0.0'),
  /** API keys (docs/server.md, Authentication); none: every route is open. */
  auth: AuthSchema.optional(),
  /** Inference worker threads. Default: one per CPU this process may use. */
  workers: wholeNumber(1, 256, 'threads').optional(),
  /** Threads that parse, decode, preprocess and encode requests off the HTTP thread. Default: one per CPU. */
  processingThreads: wholeNumber(1, 256, 'threads').optional(),
  /** How much lower the workers' CPU priority is than the HTTP thread's (nice increment; 0 keeps it equal). */
  workerNice: wholeNumber(0, 19, 'nice levels').default(10),
  /** The model `POST /invocations` serves; may be left out when there is only one. */
  defaultModel: z.string().regex(SERVED_NAME_PATTERN).optional(),
  cacheDir: z.string().min(1).optional(),
  /** SageMaker unpacks model data here; a model file found in it replaces the entry's weights. */
  modelDir: z.string().min(1).default('/opt/ml/model'),
  /** SIGTERM: how long in-flight requests may take before the server exits anyway (< 30 s). */
  drainTimeoutMs: wholeNumber(0, 29_000, 'ms').default(25_000),
  models: z.record(z.string().regex(SERVED_NAME_PATTERN, 'model name: letters, digits, . _ - (at most 64)'), ServedModelSchema).default({}),
  /** A model repository served beside the models (docs/repository.md). */
  repository: ServedRepositorySchema.optional(),
  /** Pipelines of several models (docs/pipelines.md): which pipeline, and the served model for each of its roles. */
  pipelines: z
    .record(
      z.string().regex(SERVED_NAME_PATTERN),
      z.strictObject({ pipeline: z.string().min(1), models: z.record(z.string(), z.string().regex(SERVED_NAME_PATTERN)) }),
    )
    .optional(),
});

export type ServedModelEntry = z.output<typeof ServedModelSchema>;
export type ServedRepositoryEntry = z.output<typeof ServedRepositorySchema>;
export type ServeConfig = z.output<typeof ServeConfigSchema>;
export type ServeConfigInput = z.input<typeof ServeConfigSchema>;
export type AuthConfig = z.output<typeof AuthSchema>;
