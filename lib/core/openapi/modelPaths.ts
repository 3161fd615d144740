import { modelRoutes } from '../http/routeTable';
import { HEADER_LENGTH } from '../protocol/binaryTensor';
import type { AuthType } from '../registry/schema';
import { errorRefs } from './errorResponses';
import { schemaRef } from './oipSchemas';
import { predictOperation } from './predictOperation';
import type { Operation, PathItem, PipelineDeclaration } from './types';

/** The pipeline behind a model's domain route, when it has one. */
export interface DomainRoute {
  name: string;
  pipeline: PipelineDeclaration;
}

// `Inference-Header-Content-Length`, spelled as the extension spells it.
const HEADER_NAME = HEADER_LENGTH.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase());

/**
 * The routes of one model's function, at literal paths (the deployment registers exactly
 * these, lib/tools/deploy/plan.ts): each model has its own function and its own domain schemas.
 */
export function modelPaths(
  model: string,
  domain: DomainRoute | undefined,
  auth: AuthType,
  versions: readonly string[] = [],
): Record<string, PathItem> {
  // Model names are [a-z0-9-], versions digits: '-' -> '_' keeps every id distinct.
  const id = (op: string, version?: string) => `${op}_${model.replace(/-/g, '_')}${version === undefined ? '' : `_v${version}`}`;
  const paths: Record<string, PathItem> = {};
  // The route table's own list (lib/core/http/routeTable.ts): the document describes exactly what is routed.
  for (const { method, path } of modelRoutes(model, { versions, predict: domain !== undefined })) {
    const version = /\/versions\/([^/]+)/.exec(path)?.[1];
    let operation: Operation;
    if (path.endsWith('/ready')) operation = readyOperation(model, id('ready', version), auth);
    else if (path.endsWith('/infer')) operation = inferOperation(model, id('infer', version), auth);
    else if (path.endsWith('/predict') && domain) operation = predictOperation(model, id('predict'), domain.name, domain.pipeline, auth);
    else operation = metadataOperation(model, id('metadata', version), auth);
    paths[path] = { [method.toLowerCase()]: operation };
  }
  return paths;
}

function metadataOperation(model: string, operationId: string, auth: AuthType): Operation {
  return {
    operationId,
    summary: `Metadata of ${model}: its input and output tensors`,
    description: 'Loads the model when it is not loaded yet.',
    tags: [model],
    responses: {
      '200': { description: 'Model metadata.', content: { 'application/json': { schema: schemaRef('ModelMetadata') } } },
      ...errorRefs(['NotFound', 'MethodNotAllowed', 'InternalError', 'ModelUnavailable'], auth),
    },
  };
}

function readyOperation(model: string, operationId: string, auth: AuthType): Operation {
  return {
    operationId,
    summary: `Is ${model} ready?`,
    description: 'Loads the model when it is not loaded yet; 200 once it can infer.',
    tags: [model],
    responses: {
      '200': { description: 'The model is loaded.', content: { 'application/json': { schema: schemaRef('ModelReady') } } },
      ...errorRefs(['NotFound', 'MethodNotAllowed', 'InternalError', 'ModelUnavailable'], auth),
    },
  };
}

function inferOperation(model: string, operationId: string, auth: AuthType): Operation {
  return {
    operationId,
    summary: `Infer with ${model} on raw tensors (Open Inference Protocol v2)`,
    description: 'Input names, datatypes and shapes are those of GET /v2/models/' + model + '.',
    tags: [model],
    parameters: [
      {
        name: HEADER_NAME,
        in: 'header',
        required: false,
        description: 'Required with a binary body: the length of its JSON header in bytes.',
        schema: { type: 'integer', minimum: 0 },
      },
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: schemaRef('InferRequest') },
        'application/octet-stream': { schema: binaryBody('request', 'inputs') },
      },
    },
    responses: {
      '200': {
        description: 'The outputs; binary when any output was asked for as binary data.',
        headers: {
          [HEADER_NAME]: {
            description: 'With a binary answer: the length of its JSON header in bytes.',
            schema: { type: 'integer', minimum: 0 },
          },
        },
        content: {
          'application/json': { schema: schemaRef('InferResponse') },
          'application/octet-stream': { schema: binaryBody('response', 'outputs') },
        },
      },
      ...errorRefs(
        [
          'BadRequest',
          'NotFound',
          'MethodNotAllowed',
          'PayloadTooLarge',
          'UnsupportedMediaType',
          'InternalError',
          'ModelUnavailable',
          'DeadlineExceeded',
        ],
        auth,
      ),
    },
  };
}

function binaryBody(envelope: 'request' | 'response', tensors: 'inputs' | 'outputs') {
  return {
    type: 'string',
    format: 'binary',
    description:
      `Binary tensor extension: a JSON infer ${envelope} of ${HEADER_NAME} bytes, then the raw tensors ` +
      `(little-endian; BYTES elements each a 4-byte length and the bytes) of the ${tensors} that declare parameters.binary_data_size, in order.`,
  };
}
