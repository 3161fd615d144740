import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_LIMITS } from '../../lib/core/protocol/limits';
import type { ModelRepository } from '../../lib/core/repository/ModelRepository';
import { createModelRepository, repositoryEntry } from '../../lib/lambda/createRepositoryHandler';
import type { RepositoryConfig } from '../../lib/lambda/repositoryConfigFromEnv';
import { RecordingSink } from './RecordingSink';
import { httpApiEvent, type Result } from './httpApiEvent';
import { tempDir } from './testHandler';

/** A repository function as a fresh Lambda sandbox builds it (createRepositoryHandler's parts), with its repository in reach for counts. */
export function repositoryFunction(
  settings: Partial<RepositoryConfig> & Pick<RepositoryConfig, 'prefix'>,
  client: S3Client,
): {
  handler: (event: unknown) => Promise<Result>;
  repository: ModelRepository;
  evictions: string[];
  sink: RecordingSink;
  config: RepositoryConfig;
} {
  const config: RepositoryConfig = {
    name: 'customers',
    cacheDir: tempDir('onnxless-repository-'),
    eager: false,
    session: { intraOpThreads: 1 },
    limits: DEFAULT_LIMITS,
    budgets: { sessionBytes: 512 * 1024 * 1024, diskBytes: 512 * 1024 * 1024 },
    indexTtlMs: 60_000,
    ...settings,
  };
  const sink = new RecordingSink();
  const evictions: string[] = [];
  const repository = createModelRepository(config, { indexClient: client, write: (line) => evictions.push(line) }, sink);
  const raw = repositoryEntry(repository, config, sink);
  return { handler: (event) => raw(event) as Promise<Result>, repository, evictions, sink, config };
}

/** POST /v2/models/{model}/infer of x = [0, 1, 2]: each test model answers x + its constant. */
export function inferEvent(model: string, path = `/v2/models/${model}/infer`) {
  return httpApiEvent('POST', path, { body: JSON.stringify({ inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [0, 1, 2] }] }) });
}
