import type { Command } from 'commander';
import { readRegistryFile } from '../../../core/registry';
import { repositoryEntryOf } from './repositoryEntry';
import { DEFAULT_INDEX_TTL_SECONDS } from '../../../core/registry/schema';
import { removeFromRepository } from '../../store/pushToRepository';
import { storeClient, storeEnv, withStoreOptions, type StoreOptions } from './storeOptions';

export function registerRemove(program: Command): void {
  withStoreOptions(
    program
      .command('remove')
      .description("take a model out of a repository's index.json: its function answers 404 for it within the index's TTL (its files stay)")
      .argument('<model>', 'the model name in the repository')
      .requiredOption('--repository <entry>', 'the kind: repository entry of the registry'),
  ).action(async (model: string, options: StoreOptions & { repository: string }) => {
    const registry = await readRegistryFile(options.config, { stage: options.stage, env: storeEnv(options) });
    const entry = repositoryEntryOf(registry, options.repository, options.config);
    const { client } = storeClient(options);
    if (!(await removeFromRepository(client, entry.prefix, model))) {
      throw new Error(`model '${model}' is not in ${entry.prefix}index.json: nothing to remove`);
    }
    console.log(`removed '${model}' from ${entry.prefix}index.json (its files stay)`);
    console.log(`its requests answer 404 within ${entry.indexTtlSeconds ?? DEFAULT_INDEX_TTL_SECONDS} s`);
  });
}
