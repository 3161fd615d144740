import type { S3Client } from '@aws-sdk/client-s3';
import type { WeightsCache } from '../core/cache/WeightsCache';
import type { Pipeline } from '../core/pipeline/Pipeline';
import { DEFAULT_LIMITS } from '../core/protocol/limits';
import { modelSourceFor } from '../core/sources/modelUri';
import type { ServedModelEntry } from './configSchema';
import type { ServerLog } from './log';
import type { ServerMetrics } from './metrics';
import { PooledModelLoader, type PooledModelOptions } from './PooledModelLoader';
import type { ProcessingPool } from './processingPool/ProcessingPool';
import { ServedModel } from './ServedModel';
import type { WorkerPool } from './WorkerPool';

export interface ModelDeps {
  /** The shared pool, or the model's own. */
  pool: WorkerPool;
  /** The pipeline whose turns its runs take, for a pipeline member. */
  flow?: string;
  /** Threads of the shared pool: a session's default CPU share is counted from it. */
  sharedThreads: number;
  processing: ProcessingPool;
  cache: WeightsCache;
  metrics: ServerMetrics;
  log: ServerLog;
  cpus: number;
  resolvePipeline?: (name: string) => Pipeline;
  s3Client?: S3Client;
}

/** One model on the worker threads: its pooled loader (weights fetched here, sessions on the threads) and its routes' service. */
export function pooledModel(
  name: string,
  entry: ServedModelEntry,
  deps: ModelDeps,
  loading: Pick<PooledModelOptions, 'loadInTurn' | 'onLoad'> = {},
): ServedModel {
  const loader = new PooledModelLoader(
    {
      name,
      source: modelSourceFor(entry.weights, deps.s3Client),
      sha256: entry.sha256,
      session: {
        // Workers share the CPUs: by default each session gets its share, not all of them.
        intraOpThreads: entry.intraOpThreads ?? Math.max(1, Math.floor(deps.cpus / deps.sharedThreads)),
        graphOptimization: entry.graphOptimization,
        executionProviders: entry.executionProviders,
      },
    },
    {
      pool: deps.pool,
      cache: deps.cache,
      batching: { ...entry.batching, maxQueueSize: entry.maxQueueSize },
      cpuFallback: entry.cpuFallback ?? false,
      eager: entry.eager,
      metrics: deps.metrics,
      log: deps.log,
      flow: deps.flow,
      ...loading,
    },
  );
  let pipeline: Pipeline | undefined;
  if (entry.pipeline !== undefined) {
    if (!deps.resolvePipeline) throw new Error(`model '${name}': pipeline '${entry.pipeline}' cannot be resolved here`);
    pipeline = deps.resolvePipeline(entry.pipeline);
  }
  return new ServedModel({
    name,
    version: entry.version,
    loader,
    pipeline,
    pipelineName: entry.pipeline,
    processing: deps.processing,
    limits: {
      maxBodyBytes: entry.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
      maxTensorElements: entry.maxTensorElements ?? DEFAULT_LIMITS.maxTensorElements,
    },
  });
}
