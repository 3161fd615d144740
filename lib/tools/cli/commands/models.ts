import type { Command } from 'commander';
import { readRegistryFile, memberModelName, DEFAULT_MODEL_HANDLER } from '../../../core/registry';
import { repositoryModels } from '../../store/repositoryListing';
import { weightsStatus } from '../../store/weightsStatus';
import { storeClient, storeEnv, withStoreOptions, type StoreOptions } from './storeOptions';

export function registerModels(program: Command): void {
  withStoreOptions(
    program.command('models').description('list the registered models and whether their weights are present and match their pin'),
  ).action(async (options: StoreOptions) => {
    const registry = await readRegistryFile(options.config, { stage: options.stage, env: storeEnv(options) });
    const { client } = storeClient(options);
    // Every entry the registry serves: models, then each pipeline's members under their own names.
    const entries = [
      ...Object.entries(registry.models).map(([name, entry]) => [name, entry, entry.handler ?? DEFAULT_MODEL_HANDLER] as const),
      ...Object.entries(registry.pipelines ?? {}).flatMap(([pipeline, entry]) =>
        Object.entries(entry.models).map(
          ([role, member]) => [memberModelName(pipeline, role), member, `${entry.handler} (pipeline ${pipeline}, ${role})`] as const,
        ),
      ),
      // Each repository's models as its index lists them now, pinned by the index.
      ...(await repositoryModels(client, registry)).map(
        ({ name, repository, entry }) => [name, entry, `repository ${repository}`] as const,
      ),
    ];
    if (entries.length === 0) {
      console.log(`no models registered in ${options.config}; add one with: npx onnxless push <file.onnx> --model <name>`);
      return;
    }
    const rows = await Promise.all(
      entries.map(([name, entry, handler]) => weightsStatus(client, name, entry).then((s) => ({ s, handler }))),
    );
    const width = Math.max(...entries.map(([name]) => name.length), 5);
    console.log(`${'MODEL'.padEnd(width)}  ${'STATE'.padEnd(13)}  HANDLER / WEIGHTS`);
    for (const { s, handler } of rows) {
      console.log(`${s.model.padEnd(width)}  ${s.state.padEnd(13)}  ${handler}  ${s.weights}  (${s.detail})`);
    }
    if (rows.some(({ s }) => s.state !== 'ok')) process.exitCode = 1;
  });
}
