import type { Pipeline } from '../pipeline/Pipeline';

/** A JSON schema, or an OpenAPI 3.0 Schema Object once converted. */
export type JsonSchema = Record<string, unknown>;

/**
 * What the document needs of a pipeline: its declarations, never its `predict`. A structural
 * subset of `Pipeline`, so `pipelines` from lib/core/builtins fits as it is, and callers that must
 * not load the native image and audio modules can pass plain objects instead.
 */
export type PipelineDeclaration = Pick<Pipeline, 'accepts' | 'description' | 'resultSchema'> & {
  /**
   * JSON schema of an `application/json` body, when the pipeline declares one. Without it the
   * body of a media pipeline is its base64 field (`{"image": "..."}`), and any other is left open.
   */
  readonly requestSchema?: Record<string, unknown>;
};

/** An OpenAPI 3.0.3 document, typed only as far as this module builds and reads it. */
export interface OpenApiDocument {
  openapi: '3.0.3';
  info: { title: string; version: string; description?: string };
  servers?: ServerObject[];
  tags: Array<{ name: string; description?: string }>;
  paths: Record<string, PathItem>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, unknown>;
    securitySchemes?: Record<string, SecurityScheme>;
  };
  security?: Array<Record<string, string[]>>;
}

export interface ServerObject {
  url: string;
  description?: string;
}

export type HttpMethod = 'get' | 'post';
export type PathItem = Partial<Record<HttpMethod, Operation>>;

export interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: unknown[];
  requestBody?: { required: boolean; description?: string; content: Record<string, MediaTypeObject> };
  responses: Record<string, unknown>;
}

export interface MediaTypeObject {
  schema: JsonSchema;
}

export type SecurityScheme = Record<string, unknown> & { type: 'apiKey' | 'http' };
