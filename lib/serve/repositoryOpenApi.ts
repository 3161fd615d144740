import { addRepositoryPaths } from '../core/openapi/repositoryPaths';
import type { OpenApiDocument } from '../core/openapi/types';
import type { Pipeline } from '../core/pipeline/Pipeline';

/** What the document says of a repository: its name, and its shared domain route's pipeline. */
export interface RepositoryDescription {
  name: string;
  /** lib/core/builtins' name of the pipeline and the pipeline itself, when the entry names one. */
  pipeline?: { name: string; declaration: Pipeline };
}

/**
 * The served OpenAPI document with a repository's routes (lib/core/openapi/repositoryPaths.ts,
 * the builder the deployed API's document uses too); serve's pages are open, so no security.
 */
export function withRepositoryPaths(json: string, repository: RepositoryDescription): string {
  const document = JSON.parse(json) as OpenApiDocument;
  const domain = repository.pipeline && { name: repository.pipeline.name, pipeline: repository.pipeline.declaration };
  addRepositoryPaths(document, { name: repository.name, ...(domain ? { domain } : {}) }, 'none');
  return `${JSON.stringify(document, null, 2)}\n`;
}
