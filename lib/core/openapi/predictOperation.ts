import { IMAGE_INPUT, WAV_INPUT, type MediaInputOptions } from '../processing/input/mediaInput';
import { JSON_MEDIA_TYPE } from '../processing/input/mediaType';
import type { AuthType } from '../registry/schema';
import { errorRefs } from './errorResponses';
import { toOpenApi30Schema } from './toOpenApi30Schema';
import type { JsonSchema, MediaTypeObject, Operation, PipelineDeclaration } from './types';

/** The media inputs of lib/core/processing: they say which JSON field carries the same bytes as base64. */
const MEDIA_INPUTS: readonly MediaInputOptions[] = [IMAGE_INPUT, WAV_INPUT];

const isJson = (mediaType: string) => mediaType === JSON_MEDIA_TYPE || mediaType.endsWith('+json');

/** `POST /models/{name}/predict`: the pipeline's accepted media types in, its result out. */
export function predictOperation(
  model: string,
  operationId: string,
  pipelineName: string,
  pipeline: PipelineDeclaration,
  auth: AuthType,
): Operation {
  return {
    operationId,
    summary: `Predict with ${model} (${pipelineName})`,
    description: pipeline.description,
    tags: [model],
    requestBody: { required: true, content: predictRequestContent(pipeline) },
    responses: {
      '200': {
        description: "The result in the model's own terms.",
        content: { 'application/json': { schema: resultSchemaOf(pipeline) } },
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

/** One content entry per accepted media type: raw bytes for media, the declared or base64-field schema for JSON. */
export function predictRequestContent(pipeline: PipelineDeclaration): Record<string, MediaTypeObject> {
  const raw = pipeline.accepts.filter((t) => !isJson(t));
  const json = () => (pipeline.requestSchema ? toOpenApi30Schema(pipeline.requestSchema) : jsonBodySchema(raw));
  return Object.fromEntries(pipeline.accepts.map((type) => [type, { schema: isJson(type) ? json() : rawBodySchema(type) }]));
}

function rawBodySchema(mediaType: string): JsonSchema {
  return { type: 'string', format: 'binary', description: `The ${mediaType} file as the whole body.` };
}

function jsonBodySchema(raw: readonly string[]): JsonSchema {
  const input = raw.length === 0 ? undefined : MEDIA_INPUTS.find((i) => raw.every((t) => i.mediaTypes.includes(t)));
  // An empty schema: any JSON value (an array of numbers, records, ...), as the operation description says.
  if (input === undefined) return { description: 'A JSON body, as the operation description says.' };
  return {
    type: 'object',
    properties: {
      [input.jsonField]: {
        type: 'string',
        format: 'byte',
        description: `The ${raw.join(', ')} bytes as base64 (a data: URL prefix is accepted).`,
      },
    },
    required: [input.jsonField],
  };
}

function resultSchemaOf(pipeline: PipelineDeclaration): JsonSchema {
  return pipeline.resultSchema === undefined
    ? { type: 'object', description: 'The pipeline declares no result schema.' }
    : toOpenApi30Schema(pipeline.resultSchema);
}
