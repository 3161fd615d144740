export { buildOpenApiDocument, openApiJson, type OpenApiOptions } from './buildOpenApiDocument';
export { OpenApiError, UnknownPipelineError } from './errors';
export { hasDomainRoute, pipelineNameOfHandler, resolveHandlerPipeline } from './handlerPipeline';
export { toOpenApi30Schema } from './toOpenApi30Schema';
export type { JsonSchema, OpenApiDocument, Operation, PathItem, PipelineDeclaration, ServerObject } from './types';
