import type { OpenApiView, SchemaView } from '../../lib/core/pages/PageConfig';

export type InputKind = 'image' | 'audio' | 'json';

/** A model with a domain route, as the OpenAPI document (registry + pipeline declarations) describes it. */
export interface PlaygroundModel {
  name: string;
  path: string;
  description: string;
  /** Media types the route accepts, as declared by its pipeline. */
  accepts: string[];
  kind: InputKind;
  /** Schema of an application/json body, when the pipeline declares one. */
  requestSchema?: SchemaView;
  resultSchema?: SchemaView;
  /** `GET /v2/models/{name}` when the document has it (a pipeline's own name has none). */
  metadataPath?: string;
}

const PREDICT = /^\/models\/([^/]+)\/predict$/;

/** Every `POST /models/{name}/predict` of the document, in its order: one playground page each. */
export function playgroundModels(document: OpenApiView): PlaygroundModel[] {
  const models: PlaygroundModel[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const name = PREDICT.exec(path)?.[1];
    const operation = item.post;
    if (name === undefined || !operation?.requestBody) continue;
    const content = operation.requestBody.content;
    const accepts = Object.keys(content);
    const json = accepts.find((t) => t === 'application/json');
    const requestSchema = json ? content[json]?.schema : undefined;
    const resultSchema = operation.responses?.['200']?.content?.['application/json']?.schema;
    models.push({
      name: decodeURIComponent(name),
      path,
      description: operation.description ?? operation.summary ?? '',
      accepts,
      kind: kindOf(accepts),
      ...(requestSchema ? { requestSchema } : {}),
      ...(resultSchema ? { resultSchema } : {}),
      ...(document.paths[`/v2/models/${name}`]?.get ? { metadataPath: `/v2/models/${name}` } : {}),
    });
  }
  return models;
}

function kindOf(accepts: readonly string[]): InputKind {
  if (accepts.some((t) => t.startsWith('image/'))) return 'image';
  if (accepts.some((t) => t.startsWith('audio/'))) return 'audio';
  return 'json';
}
