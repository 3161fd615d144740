import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, ENV, optionalBoolean, optionalList, optionalPositiveInt, optionalString } from '../config/env';
import { readRegistryText } from '../registry/index';
import { GRAPH_OPTIMIZATION_LEVELS } from '../sessions/SessionOptions';
import { modelsFromRegistry } from './registryModels';

const int = (min: number, max: number, unit: string) =>
  z.int({ error: `expected a whole number (${unit})` }).min(min, `must be at least ${min} ${unit}`).max(max, `must be at most ${max} ${unit}`);

/** Model names appear in URLs and metric labels: keep them URL-safe. */
export const SERVED_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const BatchingSchema = z.strictObject({
  /** Rows per run (Triton's max_batch_size); 1 turns batching off. */
  maxBatchSize: int(1, 4096, 'rows').default(1),
  /** How long a request may wait for others to join its batch (Triton's max_queue_delay_microseconds, in ms). */
  maxQueueDelayMs: z.number().min(0).max(10_000).default(0),
});

export const ServedModelSchema = z.strictObject({
  /** `s3://bucket/key`, `file:///path`, or a path (relative to the config file). */
  weights: z.string().min(1),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hexadecimal characters')
    .transform((s) => s.toLowerCase())
    .optional(),
  version: z.string().min(1).optional(),
  /** A domain pipeline from lib/pipelines (`textOrientation`, ...): adds POST /models/{name}/predict. */
  pipeline: z.string().min(1).optional(),
  /** Load at start (default) rather than on the first request. */
  eager: z.boolean().default(true),
  intraOpThreads: int(1, 64, 'threads').optional(),
  graphOptimization: z.enum(GRAPH_OPTIMIZATION_LEVELS).optional(),
  /** onnxruntime providers in order of preference: [cuda], [cuda, cpu], [cpu]. */
  executionProviders: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected a provider name such as cpu')).min(1).optional(),
  /** Where a requested provider cannot be loaded, run on CPU (one warning) instead of failing. Default false. */
  cpuFallback: z.boolean().optional(),
  batching: BatchingSchema.default({ maxBatchSize: 1, maxQueueDelayMs: 0 }),
  /** Requests that may wait for a worker; the next one is answered 429 with Retry-After. */
  maxQueueSize: int(0, 1_000_000, 'requests').default(128),
  maxBodyBytes: int(1, 2 ** 31 - 1, 'bytes').optional(),
  maxTensorElements: int(1, Number.MAX_SAFE_INTEGER, 'elements').optional(),
});

export const ServeConfigSchema = z.strictObject({
  /** 8080 is what SageMaker calls; 0 picks a free port (the chosen one is logged). */
  port: int(0, 65_535, 'port').default(8080),
  host: z.string().min(1).default('0.0.0.0'),
  /** Inference worker threads. Default: one per CPU this process may use. */
  workers: int(1, 256, 'threads').optional(),
  /** Threads that parse, decode, preprocess and encode requests off the HTTP thread. Default: one per CPU. */
  processingThreads: int(1, 256, 'threads').optional(),
  /** How much lower the workers' CPU priority is than the HTTP thread's (nice increment; 0 keeps it equal). */
  workerNice: int(0, 19, 'nice levels').default(10),
  /** The model `POST /invocations` serves; may be left out when there is only one. */
  defaultModel: z.string().regex(SERVED_NAME_PATTERN).optional(),
  cacheDir: z.string().min(1).optional(),
  /** SageMaker unpacks model data here; a model file found in it replaces the entry's weights. */
  modelDir: z.string().min(1).default('/opt/ml/model'),
  /** SIGTERM: how long in-flight requests may take before the server exits anyway (< 30 s). */
  drainTimeoutMs: int(0, 29_000, 'ms').default(25_000),
  models: z.record(z.string().regex(SERVED_NAME_PATTERN, 'model name: letters, digits, . _ - (at most 64)'), ServedModelSchema).default({}),
});

export type ServedModelEntry = z.output<typeof ServedModelSchema>;
export type ServeConfig = z.output<typeof ServeConfigSchema>;
export type ServeConfigInput = z.input<typeof ServeConfigSchema>;

export interface ServeFlags {
  config?: string;
  port?: number;
  host?: string;
  workers?: number;
  /** `name=weights`, repeatable. */
  models?: string[];
  modelDir?: string;
  defaultModel?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export class ServeConfigError extends ConfigError {
  constructor(message: string, readonly problems: readonly string[] = [message]) {
    super(message);
    this.name = 'ServeConfigError';
  }
}

/**
 * The served models, from (in order, later ones overriding): a config file, the single-model
 * environment of the Lambda handler (ONNXLESS_MODEL_NAME/URI...), `--model name=path` flags,
 * and model files found in the SageMaker model directory. Flags override server settings.
 */
export async function resolveServeConfig(flags: ServeFlags = {}, env: Env = process.env): Promise<ServeConfig> {
  const base = flags.config ? await readConfigFile(flags.config) : {};
  const raw: Record<string, unknown> = { ...base };
  const models: Record<string, unknown> = { ...((raw.models as Record<string, unknown> | undefined) ?? {}) };
  const fromEnv = modelFromEnv(env);
  if (fromEnv) models[fromEnv.name] = { ...(models[fromEnv.name] as object | undefined), ...fromEnv.entry };
  for (const flag of flags.models ?? []) {
    const [name, weights] = splitModelFlag(flag);
    models[name] = { ...(models[name] as object | undefined), weights };
  }
  raw.models = models;
  setIfDefined(raw, 'port', flags.port ?? optionalInt(ENV.port, env, 0));
  setIfDefined(raw, 'host', flags.host);
  setIfDefined(raw, 'workers', flags.workers ?? optionalPositiveInt(ENV.workers, env));
  setIfDefined(raw, 'modelDir', flags.modelDir ?? optionalString(ENV.modelDir, env));
  setIfDefined(raw, 'defaultModel', flags.defaultModel);
  setIfDefined(raw, 'cacheDir', optionalString(ENV.cacheDir, env));

  const config = parseServeConfig(raw, flags.config ?? 'serve flags');
  applyModelDir(config, optionalString(ENV.modelName, env));
  // The image's environment sets providers for every model that names none (the GPU image: cuda).
  const providers = optionalList(ENV.executionProviders, env);
  const cpuFallback = optionalBoolean(ENV.cpuFallback, env);
  for (const entry of Object.values(config.models)) {
    entry.executionProviders ??= providers;
    entry.cpuFallback ??= cpuFallback;
  }
  if (Object.keys(config.models).length === 0) {
    throw new ServeConfigError(
      `no models to serve: give --config <file>, --model <name>=<path>, ${ENV.modelName} and ${ENV.modelUri}, or put model.onnx in ${config.modelDir}`,
    );
  }
  if (config.defaultModel !== undefined && !(config.defaultModel in config.models)) {
    throw new ServeConfigError(`defaultModel '${config.defaultModel}' is not among the models: ${Object.keys(config.models).join(', ')}`);
  }
  return config;
}

export function parseServeConfig(raw: unknown, source: string): ServeConfig {
  const result = ServeConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const where = path[0] === 'models' && path.length >= 2 ? [`model '${path[1]}'`, ...path.slice(2)].join(': ') : path.join('.');
    const what = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` : issue.message;
    return where ? `${where}: ${what}` : what;
  });
  throw new ServeConfigError(`invalid serve config (${source}): ${problems.join('; ')}`, problems);
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ServeConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new ServeConfigError(`config file ${file} is neither JSON nor YAML: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ServeConfigError(`config file ${file} must hold an object with a models map`);
  }
  const custom = (value as { custom?: { onnxless?: unknown } }).custom;
  if (custom?.onnxless !== undefined) {
    // serverless.yml: serve its registry (variables resolved as the CLI resolves them).
    const registry = readRegistryText(text, { source: basename(file), env: process.env });
    return { models: modelsFromRegistry(registry) };
  }
  const config = { ...(value as Record<string, unknown>) };
  // Paths in the file are relative to the file, not to wherever the server was started.
  const models = config.models as Record<string, { weights?: unknown }> | undefined;
  if (models && typeof models === 'object') {
    config.models = Object.fromEntries(
      Object.entries(models).map(([name, entry]) => [name, relativeWeights(entry, dirname(resolve(file)))]),
    );
  }
  return config;
}

function relativeWeights(entry: unknown, dir: string): unknown {
  if (entry === null || typeof entry !== 'object') return entry;
  const weights = (entry as { weights?: unknown }).weights;
  if (typeof weights !== 'string' || /^[a-z][a-z0-9+.-]*:\/\//i.test(weights) || isAbsolute(weights)) return entry;
  return { ...entry, weights: resolve(dir, weights) };
}

/** The Lambda handler's environment, so one image runs as a function or as a server alike. */
function modelFromEnv(env: Env): { name: string; entry: Record<string, unknown> } | undefined {
  const name = optionalString(ENV.modelName, env);
  const weights = optionalString(ENV.modelUri, env);
  if (name === undefined || weights === undefined) return undefined;
  const entry: Record<string, unknown> = { weights };
  setIfDefined(entry, 'sha256', optionalString(ENV.modelSha256, env));
  setIfDefined(entry, 'version', optionalString(ENV.modelVersion, env));
  setIfDefined(entry, 'intraOpThreads', optionalPositiveInt(ENV.intraOpThreads, env));
  setIfDefined(entry, 'graphOptimization', optionalString(ENV.graphOptimization, env));
  setIfDefined(entry, 'executionProviders', optionalList(ENV.executionProviders, env));
  setIfDefined(entry, 'maxBodyBytes', optionalPositiveInt(ENV.maxBodyBytes, env));
  setIfDefined(entry, 'maxTensorElements', optionalPositiveInt(ENV.maxTensorElements, env));
  setIfDefined(entry, 'eager', optionalBoolean(ENV.eager, env));
  setIfDefined(entry, 'cpuFallback', optionalBoolean(ENV.cpuFallback, env));
  setIfDefined(entry, 'pipeline', optionalString(ENV.pipeline, env));
  setIfDefined(entry, 'maxQueueSize', optionalInt(ENV.maxQueueSize, env, 0));
  const maxBatchSize = optionalPositiveInt(ENV.maxBatchSize, env);
  const maxQueueDelayMs = optionalInt(ENV.maxQueueDelayMs, env, 0);
  if (maxBatchSize !== undefined || maxQueueDelayMs !== undefined) {
    entry.batching = { ...(maxBatchSize === undefined ? {} : { maxBatchSize }), ...(maxQueueDelayMs === undefined ? {} : { maxQueueDelayMs }) };
  }
  return { name, entry };
}

/**
 * SageMaker unpacks the model data into /opt/ml/model. A file there wins over the entry's
 * weights: `<dir>/<name>.onnx` or `<dir>/<name>/model.onnx`, and `<dir>/model.onnx` for a single
 * model. With no model configured at all, every such file is served under its name
 * (`model.onnx` as ONNXLESS_MODEL_NAME, else `model`).
 */
function applyModelDir(config: ServeConfig, envName: string | undefined): void {
  const dir = config.modelDir;
  if (!isDirectory(dir)) return;
  const names = Object.keys(config.models);
  if (names.length === 0) {
    for (const [name, path] of discoverModels(dir, envName ?? 'model')) {
      config.models[name] = ServedModelSchema.parse({ weights: path });
    }
    return;
  }
  for (const name of names) {
    const candidates = [join(dir, `${name}.onnx`), join(dir, name, 'model.onnx'), ...(names.length === 1 ? [join(dir, 'model.onnx')] : [])];
    const found = candidates.find(isFile);
    if (found) (config.models[name] as ServedModelEntry).weights = found;
  }
}

function discoverModels(dir: string, singleName: string): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (entry.endsWith('.onnx') && isFile(path)) {
      const name = entry === 'model.onnx' ? singleName : basename(entry, '.onnx');
      if (SERVED_NAME_PATTERN.test(name)) found.push([name, path]);
    } else if (isFile(join(path, 'model.onnx')) && SERVED_NAME_PATTERN.test(entry)) {
      found.push([entry, join(path, 'model.onnx')]);
    }
  }
  return found;
}

function splitModelFlag(flag: string): [string, string] {
  const eq = flag.indexOf('=');
  if (eq <= 0 || eq === flag.length - 1) throw new ServeConfigError(`--model expects <name>=<weights>, got '${flag}'`);
  return [flag.slice(0, eq), flag.slice(eq + 1)];
}

function optionalInt(name: string, env: Env, min: number): number | undefined {
  const raw = optionalString(name, env);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new ConfigError(`environment variable ${name} must be a whole number >= ${min}, got '${raw}'`);
  return value;
}

function setIfDefined(target: Record<string, unknown>, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
