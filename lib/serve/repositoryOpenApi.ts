import { modelPaths } from '../core/openapi/modelPaths';
import type { OpenApiDocument } from '../core/openapi/types';
import type { Pipeline } from '../core/pipeline/Pipeline';

/** What the document says of a repository: its name, and its shared domain route's pipeline. */
export interface RepositoryDescription {
  name: string;
  /** lib/core/builtins' name of the pipeline and the pipeline itself, when the entry names one. */
  pipeline?: { name: string; declaration: Pipeline };
}

const pathParameter = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

/**
 * The served OpenAPI document with a repository's routes: the same operations as a configured
 * model's (lib/core/openapi's modelPaths, so the schemas cannot drift), at the route table's
 * templates with the model and the version as path variables, as the repository routes them. A
 * configured model's literal path matches first (OpenAPI: concrete paths before templated ones),
 * as its routes do on the server.
 */
export function withRepositoryPaths(json: string, repository: RepositoryDescription): string {
  const document = JSON.parse(json) as OpenApiDocument;
  const tag = `repository ${repository.name}`;
  const model = pathParameter('model', `A model the index of repository '${repository.name}' lists (404 for any other).`);
  const version = pathParameter('version', 'The version the index lists for the model (its directory <model>/<version>/).');
  const domain = repository.pipeline && { name: repository.pipeline.name, pipeline: repository.pipeline.declaration };
  for (const [path, item] of Object.entries(modelPaths('{model}', domain, 'none', ['{version}']))) {
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
  return `${JSON.stringify(document, null, 2)}\n`;
}
