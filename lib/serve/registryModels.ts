import { versionOfWeights } from '../core/http/routeTable';
import { hasDomainRoute, pipelineNameOfHandler } from '../core/openapi/handlerPipeline';
import { memberModelName, type Registry, type ModelEntry } from '../core/registry/index';
import { defaultDiskBudgetBytes, defaultSessionBudgetBytes } from '../core/repository/residentBudget';
import type { ServeConfigInput } from './configSchema';

/**
 * `handlers/text-orientation.handler` -> `textOrientation`: the server serves a handler's domain
 * route through the pipeline of the same name (lib/core/builtins), by the one rule the OpenAPI
 * document and the deployment use; the generic tensor handler has none. The server fails at
 * start, listing the valid names, when no pipeline has that name.
 */
export function pipelineOfHandler(handler: string | undefined): string | undefined {
  return hasDomainRoute(handler) ? pipelineNameOfHandler(handler) : undefined;
}

/**
 * serverless.yml's registry as the server's models: every entry, whatever its runtime, with the
 * version the deployment derives from the weights key (`<model>/<version>/model.onnx`), so
 * metadata and `/versions/{v}` routes answer as on the deployed API.
 */
export function modelsFromRegistry(registry: Registry): NonNullable<ServeConfigInput['models']> {
  const members = Object.entries(registry.pipelines ?? {}).flatMap(([name, entry]) =>
    Object.entries(entry.models).map(([role, member]) => [
      memberModelName(name, role),
      servedEntry({ ...member, eager: entry.eager, intraOpThreads: entry.intraOpThreads, graphOptimization: entry.graphOptimization }),
    ]),
  );
  return Object.fromEntries([...Object.entries(registry.models).map(([name, entry]) => [name, servedEntry(entry)]), ...members]);
}

/** Each `kind: pipeline` entry: the pipeline its handler names, and its members' served names by role. */
export function pipelinesFromRegistry(registry: Registry): NonNullable<ServeConfigInput['pipelines']> {
  return Object.fromEntries(
    Object.entries(registry.pipelines ?? {}).map(([name, entry]) => [
      name,
      {
        pipeline: pipelineNameOfHandler(entry.handler),
        models: Object.fromEntries(Object.keys(entry.models).map((role) => [role, memberModelName(name, role)])),
      },
    ]),
  );
}

function servedEntry(entry: Omit<ModelEntry, 'weights'> & { weights: string }): NonNullable<ServeConfigInput['models']>[string] {
  const pipeline = pipelineOfHandler(entry.handler);
  const version = versionOfWeights(entry.weights);
  return {
    weights: entry.weights,
    ...(version === undefined ? {} : { version }),
    ...(entry.sha256 === undefined ? {} : { sha256: entry.sha256 }),
    ...(entry.eager === undefined ? {} : { eager: entry.eager }),
    ...(entry.intraOpThreads === undefined ? {} : { intraOpThreads: entry.intraOpThreads }),
    ...(entry.graphOptimization === undefined ? {} : { graphOptimization: entry.graphOptimization }),
    ...(entry.executionProviders === undefined ? {} : { executionProviders: entry.executionProviders }),
    ...(entry.cpuFallback === undefined ? {} : { cpuFallback: entry.cpuFallback }),
    ...(entry.batching === undefined
      ? {}
      : { batching: { maxBatchSize: entry.batching.maxBatchSize, maxQueueDelayMs: entry.batching.maxQueueDelayMs ?? 0 } }),
    ...(pipeline === undefined ? {} : { pipeline }),
  };
}

const MB = 1024 * 1024;

/**
 * The registry's `kind: repository` entry (at most one) as the server's repository: the same
 * prefix, TTL and budgets, the budgets from the function's memory and /tmp as its deployment's.
 */
export function repositoryFromRegistry(registry: Registry): ServeConfigInput['repository'] {
  const [name, entry] = Object.entries(registry.repositories ?? {})[0] ?? [];
  if (name === undefined || entry === undefined) return undefined;
  const pipeline = pipelineOfHandler(entry.handler);
  return {
    name,
    prefix: entry.prefix,
    sessionMemoryMB: entry.sessionMemoryMB ?? defaultSessionBudgetBytes(entry.memorySize ?? 2048) / MB,
    diskMB: defaultDiskBudgetBytes(entry.ephemeralStorage ?? 512) / MB,
    ...(entry.maxLoadedModels === undefined ? {} : { maxLoadedModels: entry.maxLoadedModels }),
    ...(entry.indexTtlSeconds === undefined ? {} : { indexTtlSeconds: entry.indexTtlSeconds }),
    ...(entry.metricModels === undefined ? {} : { metricModels: entry.metricModels }),
    ...(entry.intraOpThreads === undefined ? {} : { intraOpThreads: entry.intraOpThreads }),
    ...(entry.graphOptimization === undefined ? {} : { graphOptimization: entry.graphOptimization }),
    ...(pipeline === undefined ? {} : { pipeline }),
  };
}
