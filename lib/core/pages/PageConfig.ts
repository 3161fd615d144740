/**
 * What the server writes into each page (pageHtml.ts) and the page's script (web/) reads: the
 * API's OpenAPI document, the path prefix the page was served under (a stage: `/prod`), and the
 * AWS region for SigV4 lines. Types and one constant, shared by the server and the browser bundle.
 */
export interface PageConfig {
  page: 'docs' | 'playground';
  /** The OpenAPI 3 document of this API, as /openapi.json serves it. */
  document: OpenApiView;
  /** Prefix of every route, '' or `/prod`: the page's own path less `/docs` or `/playground`. */
  base: string;
  /** The region a SigV4 signature names; absent where the server does not know it. */
  region?: string;
  /**
   * Served by the local emulator (serverless-offline), which checks no signature or token: the
   * playground's curl lines are plain, and /docs says how the deployed API is called.
   */
  emulated?: boolean;
}

/** The parts of the OpenAPI document the pages read. */
export interface OpenApiView {
  info?: { title?: string; version?: string };
  paths: Record<string, Partial<Record<'get' | 'post', OperationView>>>;
  components?: {
    securitySchemes?: Record<string, { type?: string; scheme?: string; 'x-amazon-apigateway-authtype'?: string; description?: string }>;
  };
  tags?: Array<{ name: string; description?: string }>;
}

export interface OperationView {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema?: SchemaView }> };
  responses?: Record<string, { content?: Record<string, { schema?: SchemaView }> } | undefined>;
}

export interface SchemaView {
  type?: string;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaView>;
  items?: SchemaView;
  required?: string[];
  minItems?: number;
  maxItems?: number;
  format?: string;
  anyOf?: SchemaView[];
  oneOf?: SchemaView[];
}

/** The id of the JSON script element holding the config. */
export const PAGE_CONFIG_ID = 'onnxless-page';
