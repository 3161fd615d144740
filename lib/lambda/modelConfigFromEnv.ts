import {
  ENV,
  ConfigError,
  optionalBoolean,
  optionalList,
  optionalPositiveInt,
  optionalString,
  requiredString,
  type Env,
} from '../core/config/env';
import { DEFAULT_CACHE_DIR, type WeightsCacheOptions } from '../core/cache/WeightsCache';
import { DEFAULT_LIMITS, type ProtocolLimits } from '../core/protocol/limits';
import type { PowertoolsSinkOptions } from '../core/observability/PowertoolsSink';
import { DEFAULT_SAFETY_MARGIN_MS } from '../core/inference/Deadline';
import { GRAPH_OPTIMIZATION_LEVELS, type GraphOptimizationLevel, type SessionSettings } from '../core/onnx/SessionOptions';

export interface FunctionConfig {
  name: string;
  uri: string;
  sha256?: string;
  version?: string;
  cacheDir: string;
  eager: boolean;
  session: SessionSettings;
  limits: ProtocolLimits;
  /** Ranged download of weights above the threshold (WeightsCache defaults when unset). */
  download?: Pick<WeightsCacheOptions, 'partBytes' | 'concurrency'>;
  /** Milliseconds kept back from Lambda's remaining time to answer before the timeout (default 1500). */
  safetyMarginMs?: number;
  /** A batch invocation's items whose model runs are stacked into one `session.run` (default 1: one at a time). */
  batchItemsPerRun?: number;
  /** Powertools service name and metrics namespace. */
  observability?: Pick<PowertoolsSinkOptions, 'serviceName' | 'namespace'>;
}

/** The generic handler is configured by environment alone (names in lib/core/config/env.ts). */
export function modelConfigFromEnv(env: Env = process.env): FunctionConfig {
  return {
    name: requiredString(ENV.modelName, env),
    uri: requiredString(ENV.modelUri, env),
    sha256: pinFromEnv(optionalString(ENV.modelSha256, env), `environment variable ${ENV.modelSha256}`),
    version: optionalString(ENV.modelVersion, env),
    ...functionSettingsFromEnv(env),
  };
}

/** A sha256 pin as configured: 64 hex digits, lower-cased; `where` names the setting in the error. */
export function pinFromEnv(value: string | undefined, where: string): string | undefined {
  const sha256 = value?.toLowerCase();
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new ConfigError(`${where} must be 64 hex digits, got '${sha256}'`);
  }
  return sha256;
}

/** What every function of a deployment reads the same way, whatever models it serves. */
export type FunctionSettings = Omit<FunctionConfig, 'name' | 'uri' | 'sha256' | 'version'>;

export function functionSettingsFromEnv(env: Env = process.env): FunctionSettings {
  const level = optionalString(ENV.graphOptimization, env);
  if (level !== undefined && !(GRAPH_OPTIMIZATION_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(
      `environment variable ${ENV.graphOptimization} must be one of ${GRAPH_OPTIMIZATION_LEVELS.join(', ')}, got '${level}'`,
    );
  }
  return {
    cacheDir: optionalString(ENV.cacheDir, env) ?? DEFAULT_CACHE_DIR,
    eager: optionalBoolean(ENV.eager, env) ?? false,
    session: {
      intraOpThreads: optionalPositiveInt(ENV.intraOpThreads, env),
      graphOptimization: level as GraphOptimizationLevel | undefined,
      executionProviders: optionalList(ENV.executionProviders, env),
    },
    safetyMarginMs: optionalPositiveInt(ENV.deadlineMarginMs, env) ?? DEFAULT_SAFETY_MARGIN_MS,
    batchItemsPerRun: optionalPositiveInt(ENV.batchItemsPerRun, env),
    observability: {
      serviceName: optionalString(ENV.serviceName, env) ?? 'onnxless',
      namespace: optionalString(ENV.metricsNamespace, env) ?? 'onnxless',
    },
    download: {
      partBytes: optionalPositiveInt(ENV.downloadPartBytes, env),
      concurrency: optionalPositiveInt(ENV.downloadConcurrency, env),
    },
    limits: {
      maxBodyBytes: optionalPositiveInt(ENV.maxBodyBytes, env) ?? DEFAULT_LIMITS.maxBodyBytes,
      maxTensorElements: optionalPositiveInt(ENV.maxTensorElements, env) ?? DEFAULT_LIMITS.maxTensorElements,
    },
  };
}
