import type { Registry } from '../../../core/registry';

/** The kind: repository entry `name` names, or an error listing those there are. */
export function repositoryEntryOf(registry: Registry, name: string, config: string) {
  const repositories = registry.repositories ?? {};
  const entry = Object.hasOwn(repositories, name) ? repositories[name] : undefined;
  if (entry) return entry;
  const listed = Object.keys(repositories);
  throw new Error(
    `--repository '${name}': ${config} has no kind: repository entry of that name; ` +
      (listed.length > 0
        ? `repositories: ${listed.join(', ')}`
        : 'add one: models: { <name>: { kind: repository, prefix: s3://bucket/models/ } }'),
  );
}
