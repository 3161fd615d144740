import type { AuthType } from '../registry/schema';
import { modelPaths, type DomainRoute } from './modelPaths';
import type { OpenApiDocument } from './types';

/** What the document says of a repository: its name, and its shared domain route when the entry names one. */
export interface RepositoryDescription {
  name: string;
  domain?: DomainRoute;
}

const pathParameter = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

/**
 * A repository's routes into `document`: the same operations as a configured model's
 * (modelPaths, so the schemas cannot drift), at the route table's templates with the model and
 * the version as path variables, as the repository routes them. A configured model's literal path
 * matches first (OpenAPI: concrete paths before templated ones), as its routes do on the
 * deployed API and on the server. Used by the deployed API's document and by `onnxless serve`'s.
 */
export function addRepositoryPaths(document: OpenApiDocument, repository: RepositoryDescription, auth: AuthType): void {
  const tag = `repository ${repository.name}`;
  const model = pathParameter('model', `A model the index of repository '${repository.name}' lists (404 for any other).`);
  const version = pathParameter('version', 'The version the index lists for the model (its directory <model>/<version>/).');
  for (const [path, item] of Object.entries(modelPaths('{model}', repository.domain, auth, ['{version}']))) {
    for (const operation of Object.values(item)) {
      operation.operationId = operation.operationId.replace('_{model}', '_repository').replace('_v{version}', '_version');
      operation.tags = [tag];
      operation.parameters = [model, ...(path.includes('{version}') ? [version] : []), ...(operation.parameters ?? [])];
    }
    document.paths[path] = item;
  }
  document.tags.push({
    name: tag,
    description: `Every model the repository's index.json lists, loaded on its first request (docs/repository.md).`,
  });
}
