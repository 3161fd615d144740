import type { S3Client } from '@aws-sdk/client-s3';
import type { ModelEntry, Registry } from '../../core/registry';
import { parseRepositoryIndex } from '../../core/repository/RepositoryIndex';
import { repositoryIndex } from './pushToRepository';

/** One model of a repository as `onnxless models` checks it: its directory as weights, the index's pin. */
export interface RepositoryModel {
  name: string;
  repository: string;
  entry: Pick<ModelEntry, 'weights' | 'sha256' | 'size'>;
}

/** Every model the registry's repositories list in their indexes now (none for a repository with no index yet). */
export async function repositoryModels(client: S3Client, registry: Pick<Registry, 'repositories'>): Promise<RepositoryModel[]> {
  const listed: RepositoryModel[] = [];
  for (const [repository, { prefix }] of Object.entries(registry.repositories ?? {})) {
    const index = repositoryIndex(client, prefix);
    const read = await index.read();
    if (read.state !== 'found') continue;
    for (const [name, model] of Object.entries(parseRepositoryIndex(read.text, index.uri).models)) {
      listed.push({ name, repository, entry: { weights: `${prefix}${model.directory}`, sha256: model.sha256, size: model.size } });
    }
  }
  return listed;
}
