import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri, REPOSITORY_INDEX_NAME } from '../core/registry';
import { IndexObject } from '../core/repository/IndexObject';
import { IndexReader } from '../core/repository/IndexReader';
import { ModelRepository, type RepositoryModel } from '../core/repository/ModelRepository';
import type { Pipeline } from '../core/pipeline/Pipeline';
import { DEFAULT_LIMITS } from '../core/protocol/limits';
import { requireS3Sdk } from '../core/sources/requireS3Sdk';
import { s3ClientConfig } from '../core/sources/s3ClientConfig';
import type { ServedRepositoryEntry } from './configSchema';
import { pooledModel, type ModelDeps } from './pooledModel';

const MB = 1024 * 1024;

/**
 * The config's repository on the worker threads: the index and budgets of
 * lib/core/repository (the Lambda function's, unchanged), each model a ServedModel whose
 * session is created in its own turn on the shared threads (PooledModelLoader's loadInTurn) and
 * released on every thread when the repository evicts it. One log line and one count per
 * eviction; the loads, hits and resident bytes are on /metrics (ServerMetrics.trackRepository).
 */
export function servedRepository(entry: ServedRepositoryEntry, deps: ModelDeps): ModelRepository {
  const { bucket, key } = parseS3Uri(entry.prefix);
  const sdk = requireS3Sdk();
  const client: S3Client = deps.s3Client ?? new sdk.S3Client(s3ClientConfig());
  const index = new IndexReader(new IndexObject(client, sdk, bucket, `${key}${REPOSITORY_INDEX_NAME}`), {
    ttlMs: entry.indexTtlSeconds * 1000,
  });
  const limits = {
    maxBodyBytes: entry.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
    maxTensorElements: entry.maxTensorElements ?? DEFAULT_LIMITS.maxTensorElements,
  };
  let pipeline: Pipeline | undefined;
  if (entry.pipeline !== undefined) {
    if (!deps.resolvePipeline) throw new Error(`repository '${entry.name}': pipeline '${entry.pipeline}' cannot be resolved here`);
    pipeline = deps.resolvePipeline(entry.pipeline);
  }
  const repository = new ModelRepository({
    name: entry.name,
    prefix: entry.prefix,
    index,
    cache: deps.cache,
    budgets: { sessionBytes: entry.sessionMemoryMB * MB, maxModels: entry.maxLoadedModels, diskBytes: entry.diskMB * MB },
    limits,
    pipeline,
    onEviction: (record) => deps.log('INFO', 'model eviction', { ...record }),
    models: (spec): RepositoryModel => {
      const model = pooledModel(
        spec.name,
        {
          weights: spec.uri,
          sha256: spec.sha256,
          version: spec.version,
          pipeline: entry.pipeline,
          eager: false,
          intraOpThreads: entry.intraOpThreads,
          graphOptimization: entry.graphOptimization,
          batching: { maxBatchSize: 1, maxQueueDelayMs: 0 },
          maxQueueSize: entry.maxQueueSize,
          maxBodyBytes: limits.maxBodyBytes,
          maxTensorElements: limits.maxTensorElements,
        },
        deps,
        { loadInTurn: true, onLoad: spec.onLoad },
      );
      return {
        get isLoaded() {
          return model.pooledLoader.isLoaded;
        },
        service: model,
        release: () => model.pooledLoader.unload(),
      };
    },
  });
  deps.metrics.trackRepository(repository);
  return repository;
}
