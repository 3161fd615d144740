import { ConfigError, ENV, optionalPositiveInt, optionalString, requiredString, type Env } from '../core/config/env';
import { MODEL_NAME_PATTERN } from '../core/registry/modelName';
import { DEFAULT_INDEX_TTL_SECONDS } from '../core/registry/repositoryFacts';
import { s3UriProblem } from '../core/registry/s3Uri';
import type { RepositoryBudgets } from '../core/repository/ModelRepository';
import { defaultDiskBudgetBytes, defaultSessionBudgetBytes } from '../core/repository/residentBudget';
import { functionSettingsFromEnv, type FunctionSettings } from './modelConfigFromEnv';

export interface RepositoryConfig extends FunctionSettings {
  /** The registry entry's name. */
  name: string;
  /** `s3://bucket/models/`: index.json and the models' directories. */
  prefix: string;
  budgets: RepositoryBudgets;
  indexTtlMs: number;
  /** The models with a CloudWatch model dimension of their own; undefined: every model. */
  metricModels?: string[];
}

const MB = 1024 * 1024;

/** Lambda's memory when the function does not say otherwise (the deploy's default). */
const DEFAULT_MEMORY_MB = 2048;

/**
 * A repository function's settings from its environment (the deploy plan writes them,
 * repositoryFunction.ts): the sessions' budget defaults to the function's memory
 * (AWS_LAMBDA_FUNCTION_MEMORY_SIZE, set by Lambda) less the runtime's reserve, and the files'
 * to 90 % of the /tmp the deploy gave it.
 */
export function repositoryConfigFromEnv(env: Env = process.env): RepositoryConfig {
  const prefix = requiredString(ENV.repositoryPrefix, env);
  const problem = s3UriProblem(prefix) ?? (prefix.endsWith('/') ? undefined : "it must end in '/'");
  if (problem) throw new ConfigError(`environment variable ${ENV.repositoryPrefix}: ${problem}`);
  const memoryMb = optionalPositiveInt(ENV.functionMemorySize, env) ?? DEFAULT_MEMORY_MB;
  const sessionMb = optionalPositiveInt(ENV.repositorySessionMb, env);
  const diskMb = optionalPositiveInt(ENV.repositoryDiskMb, env);
  return {
    name: requiredString(ENV.repositoryName, env),
    prefix,
    budgets: {
      sessionBytes: sessionMb === undefined ? defaultSessionBudgetBytes(memoryMb) : sessionMb * MB,
      maxModels: optionalPositiveInt(ENV.repositoryMaxModels, env),
      diskBytes: diskMb === undefined ? defaultDiskBudgetBytes(512) : diskMb * MB,
    },
    indexTtlMs: ttlSeconds(env) * 1000,
    ...metricModels(env),
    ...functionSettingsFromEnv(env),
  };
}

/** 0 is a TTL (revalidate on every request), so not a positive int. */
function ttlSeconds(env: Env): number {
  const raw = optionalString(ENV.repositoryIndexTtlSeconds, env);
  if (raw === undefined) return DEFAULT_INDEX_TTL_SECONDS;
  if (!/^\d{1,5}$/.test(raw))
    throw new ConfigError(`environment variable ${ENV.repositoryIndexTtlSeconds} must be a whole number of seconds, got '${raw}'`);
  return Number(raw);
}

/** Set (even empty: every model under `_other`) or absent (every model its own dimension). */
function metricModels(env: Env): { metricModels?: string[] } {
  const raw = env[ENV.repositoryMetricModels];
  if (raw === undefined) return {};
  const names = raw.split(',').filter((name) => name !== '');
  const bad = names.find((name) => !MODEL_NAME_PATTERN.test(name));
  if (bad !== undefined) throw new ConfigError(`environment variable ${ENV.repositoryMetricModels}: '${bad}' is not a model name`);
  return { metricModels: names };
}
