import type { S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../../lib/core/registry';
import { withModel } from '../../lib/core/repository/RepositoryIndex';
import { modelPrefix, pushModel } from '../../lib/tools/store/pushModel';
import { repositoryIndex } from '../../lib/tools/store/pushToRepository';
import { updateIndex } from '../../lib/tools/store/updateIndex';
import { addConstantFacts } from './repositoryModels';
import { tempDir } from './testHandler';

/**
 * Many add-constant models into one repository at once, as version 1 each: the directories
 * uploaded 16 at a time, then listed in one conditional index write (what many `push
 * --repository` end in, without a thousand index round trips). Model `names[i]` adds `constantOf(i)`.
 */
export async function pushManyModels(
  client: S3Client,
  prefix: string,
  names: readonly string[],
  constantOf: (i: number) => number = (i) => i + 1,
): Promise<void> {
  const { bucket, key } = parseS3Uri(prefix);
  const root = tempDir('onnxless-repo-models-');
  const facts = names.map((name, i) => addConstantFacts(root, name, constantOf(i)));
  for (let i = 0; i < names.length; i += 16) {
    await Promise.all(
      names.slice(i, i + 16).map((name, j) => pushModel(client, facts[i + j]!, { bucket, prefix: `${key}${modelPrefix(name, 1)}` })),
    );
  }
  await updateIndex(repositoryIndex(client, prefix), (index) =>
    names.reduce(
      (next, name, i) => withModel(next, name, { directory: modelPrefix(name, 1), sha256: facts[i]!.sha256, size: facts[i]!.size }),
      index,
    ),
  );
}
