import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, ENV, optionalBoolean, optionalList, optionalPositiveInt, optionalString, type Env } from '../core/config/env';
import { describeZodIssue, modelEntryPlace, unknownFields } from '../core/config/zodIssues';
import { readRegistryText } from '../core/registry/index';
import { SERVED_NAME_PATTERN, ServeConfigSchema, ServedModelSchema, type ServeConfig, type ServedModelEntry } from './configSchema';
import { modelsFromRegistry, pipelinesFromRegistry, repositoryFromRegistry } from './registryModels';
import { ApiKeys } from './ApiKeys';

export * from './configSchema';

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

/** What `serve` with no model source serves: the project's registry, as `npm start` does. */
export const DEFAULT_REGISTRY_FILE = 'serverless.yml';

export class ServeConfigError extends ConfigError {
  constructor(
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
  }
}

/**
 * The served models, from (in order, later ones overriding): a config file, the single-model
 * environment of the Lambda handler (ONNXLESS_MODEL_NAME/URI...), `--model name=path` flags,
 * and model files found in the SageMaker model directory. Flags override server settings.
 */
export async function resolveServeConfig(flags: ServeFlags = {}, env: Env = process.env, cwd = process.cwd()): Promise<ServeConfig> {
  const configFile = flags.config ?? defaultRegistryFile(flags, env, cwd);
  const base = configFile ? await readConfigFile(configFile) : {};
  const raw: Record<string, unknown> = { ...base };
  // Names come from the caller (flags, environment, the file): a map with no prototype, so
  // `__proto__` or `constructor` is a model like any other, refused or kept by the name rule.
  const models: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, raw.models ?? {});
  const own = (name: string) => (Object.hasOwn(models, name) ? (models[name] as object) : undefined);
  const fromEnv = modelFromEnv(env);
  if (fromEnv) models[fromEnv.name] = { ...own(fromEnv.name), ...fromEnv.entry };
  for (const flag of flags.models ?? []) {
    const [name, weights] = splitModelFlag(flag);
    models[name] = { ...own(name), weights };
  }
  // zod's records skip this key without a word: the model would vanish from what is served.
  if (Object.hasOwn(models, '__proto__')) throw new ServeConfigError(`model name '__proto__' cannot be served: name the model otherwise`);
  raw.models = models;
  setIfDefined(raw, 'port', flags.port ?? optionalInt(ENV.port, env, 0));
  setIfDefined(raw, 'host', flags.host);
  setIfDefined(raw, 'workers', flags.workers ?? optionalPositiveInt(ENV.workers, env));
  setIfDefined(raw, 'modelDir', flags.modelDir ?? optionalString(ENV.modelDir, env));
  setIfDefined(raw, 'defaultModel', flags.defaultModel);
  setIfDefined(raw, 'cacheDir', optionalString(ENV.cacheDir, env));
  setIfDefined(raw, 'auth', authFromEnv(raw.auth, env));

  const config = parseServeConfig(raw, configFile ?? 'serve flags');
  applyModelDir(config, optionalString(ENV.modelName, env));
  // The image's environment sets providers for every model that names none (the GPU image: cuda).
  const providers = optionalList(ENV.executionProviders, env);
  const cpuFallback = optionalBoolean(ENV.cpuFallback, env);
  for (const entry of Object.values(config.models)) {
    entry.executionProviders ??= providers;
    entry.cpuFallback ??= cpuFallback;
  }
  if (Object.keys(config.models).length === 0 && config.repository === undefined) {
    throw new ServeConfigError(
      `no models to serve: give --config <file> (serve.yaml or a serverless.yml with models or a kind: repository entry; ./${DEFAULT_REGISTRY_FILE} is read when present), ` +
        `--model <name>=<path>, ${ENV.modelName} and ${ENV.modelUri}, or put model.onnx in --model-dir (${config.modelDir})`,
    );
  }
  if (config.defaultModel !== undefined && !Object.hasOwn(config.models, config.defaultModel)) {
    throw new ServeConfigError(
      `--default-model '${config.defaultModel}' is not among the models: ${Object.keys(config.models).join(', ')}`,
    );
  }
  return config;
}

/**
 * ./serverless.yml when nothing else names a model: no --config, no --model, no single-model
 * environment, and no model file in the SageMaker model directory (the image's own source).
 */
function defaultRegistryFile(flags: ServeFlags, env: Env, cwd: string): string | undefined {
  const file = join(cwd, DEFAULT_REGISTRY_FILE);
  if ((flags.models?.length ?? 0) > 0 || modelFromEnv(env) !== undefined || !isFile(file)) return undefined;
  const modelDir = flags.modelDir ?? optionalString(ENV.modelDir, env) ?? ServeConfigSchema.shape.modelDir.parse(undefined);
  if (isDirectory(modelDir) && discoverModels(modelDir, 'model').length > 0) return undefined;
  return file;
}

export function parseServeConfig(raw: unknown, source: string): ServeConfig {
  const result = ServeConfigSchema.safeParse(raw);
  const problems = [
    ...protoPipelineKeys(raw),
    ...(result.success
      ? []
      : result.error.issues.map((issue) =>
          describeZodIssue(issue, {
            place: modelEntryPlace(['models'], ': '),
            message: (i) => (i.code === 'unrecognized_keys' ? unknownFields(i.keys) : i.message),
          }),
        )),
  ];
  if (result.success && problems.length === 0) return result.data;
  throw new ServeConfigError(`invalid serve config (${source}): ${problems.join('; ')}`, problems);
}

/**
 * zod's records skip a `__proto__` key without a word (it guards against prototype pollution): a
 * pipeline, or a pipeline's role, of that name would vanish from what is served. Refused by name.
 */
function protoPipelineKeys(raw: unknown): string[] {
  const pipelines = ownObject(raw, 'pipelines');
  if (!pipelines) return [];
  const problems = Object.hasOwn(pipelines, '__proto__') ? [`pipeline name '__proto__' cannot be served: name the pipeline otherwise`] : [];
  for (const [name, entry] of Object.entries(pipelines)) {
    const roles = ownObject(entry, 'models');
    if (roles && Object.hasOwn(roles, '__proto__'))
      problems.push(
        `pipeline '${name}': role '__proto__' is not a role: name each role as the pipeline names it (ocr: detection, orientation, recognition)`,
      );
  }
  return problems;
}

function ownObject(value: unknown, key: string): object | undefined {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'object' && field !== null ? field : undefined;
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
    const pipelines = pipelinesFromRegistry(registry);
    const repository = repositoryFromRegistry(registry);
    return {
      models: modelsFromRegistry(registry),
      ...(Object.keys(pipelines).length > 0 ? { pipelines } : {}),
      ...(repository === undefined ? {} : { repository }),
    };
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
    entry.batching = {
      ...(maxBatchSize === undefined ? {} : { maxBatchSize }),
      ...(maxQueueDelayMs === undefined ? {} : { maxQueueDelayMs }),
    };
  }
  return { name, entry };
}

/**
 * The config's `auth` with the environment's keys added (as digests only: the keys themselves
 * go no further), its keys file and open routes replaced. Undefined when neither sets any.
 */
function authFromEnv(fromFile: unknown, env: Env): Record<string, unknown> | undefined {
  const keys = optionalList(ENV.apiKeys, env);
  const file = optionalString(ENV.apiKeysFile, env);
  const open = optionalList(ENV.authOpen, env);
  if (keys === undefined && file === undefined && open === undefined) return fromFile as Record<string, unknown> | undefined;
  const auth: Record<string, unknown> = { ...(fromFile as Record<string, unknown> | undefined) };
  if (keys !== undefined) {
    const known = Array.isArray(auth.apiKeySha256) ? (auth.apiKeySha256 as unknown[]) : [];
    auth.apiKeySha256 = [...known, ...keys.map((key) => ApiKeys.digestOf(key, ENV.apiKeys).toString('hex'))];
  }
  setIfDefined(auth, 'apiKeysFile', file);
  if (open !== undefined) auth.open = open.length === 1 && open[0] === 'none' ? [] : open;
  return auth;
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
  if (!Number.isSafeInteger(value) || value < min)
    throw new ConfigError(`environment variable ${name} must be a whole number >= ${min}, got '${raw}'`);
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
