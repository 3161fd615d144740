import { WeightsCache } from '../core/cache/WeightsCache';
import { BadRequestError } from '../core/errors';
import { RepositoryRouter } from '../core/http/RepositoryRouter';
import type { Endpoint } from '../core/inference/Endpoint';
import { repositoryLog } from '../core/observability/repositoryLog';
import { sinkFromEnv } from '../core/observability/sinkFromEnv';
import { boundedModelDimension } from '../core/observability/modelDimension';
import type { ObservabilitySink } from '../core/observability/records';
import { startTracing } from '../core/observability/tracing';
import type { Pipeline } from '../core/pipeline/Pipeline';
import { REPOSITORY_INDEX_NAME } from '../core/registry/repositoryFacts';
import { parseS3Uri } from '../core/registry/s3Uri';
import { IndexObject } from '../core/repository/IndexObject';
import { IndexReader } from '../core/repository/IndexReader';
import { ModelRepository } from '../core/repository/ModelRepository';
import { requireS3Sdk, type S3Sdk } from '../core/sources/requireS3Sdk';
import { s3ClientConfig } from '../core/sources/s3ClientConfig';
import type { S3Client } from '@aws-sdk/client-s3';
import { lambdaEntry, type HandlerOptions, type LambdaHandler } from './createLambdaHandler';
import type { RepositoryConfig } from './repositoryConfigFromEnv';

export interface RepositoryHandlerOptions extends Omit<HandlerOptions, 'pipeline' | 's3Client'> {
  /** The domain route every model of the repository shares, when the entry names a handler. */
  pipeline?: Pipeline;
  /** The SDK client that reads the index (conditional GETs) and, unless `s3Client` says otherwise, the weights. Default: the environment's. */
  indexClient?: S3Client;
  s3Client?: HandlerOptions['s3Client'];
  /** Where the eviction lines go (default: stdout, as the sink's). */
  write?: (line: string) => void;
}

/**
 * A Lambda entry point for a model repository (`kind: repository`): every model its index lists
 * on `/v2/models/{name}/...` (and `/versions/{v}/...`, and `POST /models/{name}/predict` with a
 * pipeline), each loaded on its first request, kept while the budgets allow, its pin checked
 * (lib/core/repository/ModelRepository.ts). A pushed model answers within the index's TTL; a
 * removed one answers 404. A direct `Invoke` names no model: refused, pointing to the HTTP routes.
 */
export function createRepositoryHandler(config: RepositoryConfig, options: RepositoryHandlerOptions = {}): LambdaHandler {
  const sink = options.sink ?? sinkFromEnv({ ...config.observability, modelDimension: boundedModelDimension(config.metricModels) });
  return repositoryEntry(createModelRepository(config, options, sink), config, sink);
}

/** The Lambda entry over a repository: its routes, and a direct Invoke refused. */
export function repositoryEntry(repository: ModelRepository, config: RepositoryConfig, sink: ObservabilitySink): LambdaHandler {
  startTracing();
  return lambdaEntry(new RepositoryRouter(repository, { sink }), noInvokeTarget(config), config);
}

/** The repository a function's settings describe: its index over the SDK's conditional GETs, its cache in /tmp. */
export function createModelRepository(
  config: RepositoryConfig,
  options: RepositoryHandlerOptions,
  sink: ObservabilitySink,
): ModelRepository {
  const { bucket, key } = parseS3Uri(config.prefix);
  // The SDK is the one Lambda's Node runtime carries (requireS3Sdk.ts): the index's conditional
  // GET needs If-None-Match, which the weights' signed reader has no use for.
  const sdk: S3Sdk = requireS3Sdk();
  const client = options.indexClient ?? new sdk.S3Client(s3ClientConfig());
  const index = new IndexReader(new IndexObject(client, sdk, bucket, `${key}${REPOSITORY_INDEX_NAME}`), { ttlMs: config.indexTtlMs });
  const log = repositoryLog({ ...config.observability, write: options.write, modelDimension: boundedModelDimension(config.metricModels) });
  return new ModelRepository({
    name: config.name,
    prefix: config.prefix,
    index,
    cache: new WeightsCache({ dir: config.cacheDir, ...config.download }),
    budgets: config.budgets,
    session: config.session,
    s3: options.s3Client ?? options.indexClient,
    limits: config.limits,
    pipeline: options.pipeline,
    events: {
      ...options.events,
      onLoad: (record) => {
        options.events?.onLoad?.(record);
        sink.onLoad(record);
      },
    },
    onEviction: (record) => log(record),
  });
}

/** A direct Invoke's target: a repository has no one model to run it on. */
function noInvokeTarget(config: RepositoryConfig): Endpoint {
  const refuse = (): never => {
    throw new BadRequestError(
      `repository '${config.name}' serves many models: call POST /v2/models/{name}/infer over HTTP, not a direct Invoke`,
    );
  };
  return {
    name: config.name,
    version: undefined,
    limits: config.limits,
    load: async () => refuse(),
    metadata: async () => refuse(),
    inferBody: async () => refuse(),
    infer: async () => refuse(),
    predict: async () => refuse(),
  };
}
