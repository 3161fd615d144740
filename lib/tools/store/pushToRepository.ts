import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { REPOSITORY_INDEX_NAME, parseS3Uri } from '../../core/registry';
import { IndexObject } from '../../core/repository/IndexObject';
import { withModel, withoutModel, type IndexedModel } from '../../core/repository/RepositoryIndex';
import type { ModelFacts } from './inspectModel';
import { modelPrefix, nextVersion, pushModel } from './pushModel';
import { updateIndex, type UpdateOptions } from './updateIndex';

/** The index object of the repository at `prefix` (`s3://bucket/models/`). */
export function repositoryIndex(client: S3Client, prefix: string): IndexObject {
  const { bucket, key } = parseS3Uri(prefix);
  return new IndexObject(client, { GetObjectCommand, PutObjectCommand }, bucket, `${key}${REPOSITORY_INDEX_NAME}`);
}

export interface RepositoryPush {
  /** The model's directory under the prefix, `<model>/<version>/`. */
  directory: string;
  version: number;
  /** Index writes it took (1 unless another push wrote the index meanwhile). */
  attempts: number;
}

/**
 * Uploads `model` as `<prefix><name>/<version>/` (the next free version unless given), then lists
 * it in the repository's index with its pin: the directory first, complete (manifest last), so a
 * function that finds the model in the index finds every file it lists. The index write is
 * conditional (updateIndex.ts): concurrent pushes of different models all end in it. Two pushes
 * of the same model at once pick the same next version: push one model from one place at a time.
 */
export async function pushToRepository(
  client: S3Client,
  model: ModelFacts,
  repository: { prefix: string; name: string; version?: number },
  options: UpdateOptions & { onProgress?: (sent: number, total: number) => void } = {},
): Promise<RepositoryPush> {
  const { bucket, key } = parseS3Uri(repository.prefix);
  const version = repository.version ?? (await nextVersion(client, bucket, `${key}${repository.name}`));
  const directory = modelPrefix(repository.name, version);
  await pushModel(client, model, { bucket, prefix: `${key}${directory}` }, options.onProgress);
  const entry: IndexedModel = { directory, sha256: model.sha256, size: model.size };
  const { attempts } = await updateIndex(
    repositoryIndex(client, repository.prefix),
    (index) => withModel(index, repository.name, entry),
    options,
  );
  return { directory, version, attempts };
}

/** Takes `name` out of the index (its files stay, as every pushed version's do): the function answers 404 for it within its TTL. */
export async function removeFromRepository(client: S3Client, prefix: string, name: string, options: UpdateOptions = {}): Promise<boolean> {
  let listed = false;
  await updateIndex(
    repositoryIndex(client, prefix),
    (index) => {
      listed = Object.hasOwn(index.models, name);
      return withoutModel(index, name);
    },
    options,
  );
  return listed;
}
