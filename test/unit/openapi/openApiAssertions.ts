import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenApiDocument, Operation } from '../../../lib/core/openapi';

/**
 * Validates with swagger-parser (the OpenAPI 3.0 JSON schema, every $ref resolved). Its
 * OpenAPI 3 check leaves out operationId uniqueness, so that is checked here. A copy is
 * passed: validate dereferences the document in place.
 */
export async function validateOpenApi(document: OpenApiDocument): Promise<void> {
  await SwaggerParser.validate(structuredClone(document) as never);
  const ids = operations(document).map((o) => o.operationId);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (duplicates.length > 0) throw new Error(`duplicate operationIds: ${duplicates.join(', ')}`);
}

export function operations(document: OpenApiDocument): Operation[] {
  return Object.values(document.paths).flatMap((item) => Object.values(item));
}

/** `GET /v2/models/tiny`-style lines for every operation. */
export function routes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
}

/** The media types of a predict route's request body. */
export function predictMediaTypes(document: OpenApiDocument, model: string): string[] {
  return Object.keys(document.paths[`/models/${model}/predict`]?.post?.requestBody?.content ?? {});
}
