import type { Registry, ModelEntry } from '../registry/index';
import type { ServeConfigInput } from './config';

/**
 * `handlers/text-orientation.handler` -> `textOrientation`: the server serves a handler's domain
 * route through the pipeline of the same name (lib/pipelines); it fails at start, listing the
 * valid names, when there is none.
 */
export function pipelineOfHandler(handler: string | undefined): string | undefined {
  if (handler === undefined) return undefined;
  const file = handler.slice(0, handler.lastIndexOf('.')).split('/').pop() ?? '';
  if (file === 'tensor') return undefined;
  return file.replace(/[-_]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** serverless.yml's registry as the server's models: every entry, whatever its runtime. */
export function modelsFromRegistry(registry: Registry): NonNullable<ServeConfigInput['models']> {
  return Object.fromEntries(Object.entries(registry.models).map(([name, entry]) => [name, servedEntry(entry)]));
}

function servedEntry(entry: ModelEntry): NonNullable<ServeConfigInput['models']>[string] {
  const pipeline = pipelineOfHandler(entry.handler);
  return {
    weights: entry.weights,
    ...(entry.sha256 === undefined ? {} : { sha256: entry.sha256 }),
    ...(entry.eager === undefined ? {} : { eager: entry.eager }),
    ...(entry.intraOpThreads === undefined ? {} : { intraOpThreads: entry.intraOpThreads }),
    ...(entry.graphOptimization === undefined ? {} : { graphOptimization: entry.graphOptimization }),
    ...(entry.executionProviders === undefined ? {} : { executionProviders: entry.executionProviders }),
    ...(entry.cpuFallback === undefined ? {} : { cpuFallback: entry.cpuFallback }),
    ...(entry.batching === undefined ? {} : { batching: { maxBatchSize: entry.batching.maxBatchSize, maxQueueDelayMs: entry.batching.maxQueueDelayMs ?? 0 } }),
    ...(pipeline === undefined ? {} : { pipeline }),
  };
}
