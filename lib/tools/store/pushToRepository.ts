import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { REPOSITORY_INDEX_NAME, parseS3Uri } from '../../core/registry';
import { IndexObject } from '../../core/repository/IndexObject';
import { withModel, withoutModel, type IndexedModel } from '../../core/repository/RepositoryIndex';
import { s3StatusOf } from '../../core/sources/S3Reader';
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
 * of the same model at once each claim a version of their own (claimVersion): the later claim
 * takes the next number, and the index lists whichever wrote it last.
 */
export async function pushToRepository(
  client: S3Client,
  model: ModelFacts,
  repository: { prefix: string; name: string; version?: number },
  options: UpdateOptions & { onProgress?: (sent: number, total: number) => void } = {},
): Promise<RepositoryPush> {
  const { bucket, key } = parseS3Uri(repository.prefix);
  const modelKey = `${key}${repository.name}`;
  const version = repository.version ?? (await claimVersion(client, bucket, modelKey, await nextVersion(client, bucket, modelKey)));
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

/** The marker a push creates in the version folder it takes: an object S3 lets one writer create. */
export const VERSION_CLAIM_NAME = '.claimed';

/** Versions tried past the first free one before a push gives up (as many pushes of one model at once). */
const MAX_CLAIMS = 64;

/**
 * Takes version `from` of the model, or the first one after it no other push took: each is
 * claimed by creating `<model>/<version>/.claimed` with `If-None-Match: *`, which S3 refuses with
 * 412 when the object exists (another push claimed it first), or 409 while another conditional
 * write of it is under way (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
 * Listing the folders alone, two pushes of one model at once picked the same number and the later
 * one's files overwrote the first's under the pin the first wrote in the index.
 */
async function claimVersion(client: S3Client, bucket: string, modelKey: string, from: number): Promise<number> {
  for (let version = from; version < from + MAX_CLAIMS; version++) {
    try {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: `${modelKey}/${version}/${VERSION_CLAIM_NAME}`, Body: '', IfNoneMatch: '*' }),
      );
      return version;
    } catch (err) {
      const status = s3StatusOf(err);
      if (status !== 412 && status !== 409) throw err;
    }
  }
  throw new Error(
    `s3://${bucket}/${modelKey}/: versions ${from} to ${from + MAX_CLAIMS - 1} were all claimed by other pushes meanwhile: push again`,
  );
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
