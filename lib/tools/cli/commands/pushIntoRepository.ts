import type { Registry } from '../../../core/registry';
import { parseS3Uri } from '../../../core/registry';
import { DEFAULT_INDEX_TTL_SECONDS } from '../../../core/registry/schema';
import { inspectModel, modelFilesAt } from '../../store/inspectModel';
import { checkBucket } from '../../store/pushModel';
import { pushToRepository } from '../../store/pushToRepository';
import { repositoryEntryOf } from './repositoryEntry';
import { storeClient, type StoreOptions } from './storeOptions';

export type PushOptions = StoreOptions & { model: string; version?: string; repository?: string; ort?: boolean };

/** `onnxless push <path> --model m --repository r`: the model into the repository's prefix and index, served without a deploy. */
export async function pushIntoRepository(path: string, registry: Registry, options: PushOptions): Promise<void> {
  const name = options.repository ?? '';
  const entry = repositoryEntryOf(registry, name, options.config);
  const version = options.version === undefined ? undefined : Number(options.version);
  if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) {
    throw new Error(`--version '${options.version}': expected a positive integer`);
  }
  const { files } = await modelFilesAt(path);
  const model = await inspectModel(files, path, { ort: options.ort });
  const { client, endpoint } = storeClient(options);
  await checkBucket(client, parseS3Uri(entry.prefix).bucket, endpoint);
  const pushed = await pushToRepository(client, model, { prefix: entry.prefix, name: options.model, version });
  console.log(`pushed ${path} -> ${entry.prefix}${pushed.directory}`);
  console.log(`  size    ${model.size} bytes`);
  console.log(`  sha256  ${model.sha256} (of manifest.json: the pin covers every file)`);
  console.log(`  inputs  ${model.inputs.join(', ')}; outputs ${model.outputs.join(', ')}`);
  console.log(
    `listed as '${options.model}' in ${entry.prefix}index.json` +
      (pushed.attempts > 1 ? ` (after ${pushed.attempts - 1} concurrent index writes)` : ''),
  );
  const ttl = entry.indexTtlSeconds ?? DEFAULT_INDEX_TTL_SECONDS;
  console.log(`next: nothing to deploy: repository '${name}' serves '${options.model}' within ${ttl} s`);
}
