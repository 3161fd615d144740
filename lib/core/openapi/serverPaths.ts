import type { AuthType } from '../registry/schema';
import { errorRefs } from './errorResponses';
import { schemaRef } from './oipSchemas';
import type { Operation, PathItem } from './types';

export const SERVER_TAG = 'server';

/** The server function's routes (GET /v2, /v2/health/live, /v2/health/ready) and, when served, this document. */
export function serverPaths(auth: AuthType, documentPath: string | undefined): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {
    '/v2': {
      get: serverOperation(
        {
          operationId: 'server_metadata',
          summary: 'Server metadata',
          ok: 'Name, version and protocol extensions.',
          schema: 'ServerMetadata',
        },
        auth,
      ),
    },
    '/v2/health/live': {
      get: serverOperation(
        { operationId: 'server_live', summary: 'Is the server live?', ok: 'The server answers.', schema: 'ServerLive' },
        auth,
      ),
    },
    '/v2/health/ready': {
      get: serverOperation(
        {
          operationId: 'server_ready',
          summary: 'Is the server ready?',
          description: 'Each model reports its own readiness at /v2/models/{name}/ready.',
          ok: 'The server is ready.',
          schema: 'ServerReady',
        },
        auth,
      ),
    },
  };
  if (documentPath !== undefined) {
    paths[documentPath] = {
      get: {
        operationId: 'openapi_document',
        summary: 'This OpenAPI document',
        tags: [SERVER_TAG],
        responses: {
          '200': { description: 'The OpenAPI 3.0 document of this API.', content: { 'application/json': { schema: { type: 'object' } } } },
          ...errorRefs(['MethodNotAllowed', 'InternalError'], auth),
        },
      },
    };
  }
  return paths;
}

interface ServerRoute {
  operationId: string;
  summary: string;
  description?: string;
  /** Description of the 200 answer. */
  ok: string;
  schema: 'ServerMetadata' | 'ServerLive' | 'ServerReady';
}

function serverOperation(route: ServerRoute, auth: AuthType): Operation {
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    tags: [SERVER_TAG],
    responses: {
      '200': { description: route.ok, content: { 'application/json': { schema: schemaRef(route.schema) } } },
      ...errorRefs(['MethodNotAllowed', 'InternalError'], auth),
    },
  };
}
