import { DATATYPE_NAMES } from '../protocol/datatypes';
import type { JsonSchema } from './types';

/** `#/components/schemas/<name>`. */
export const schemaRef = (name: keyof typeof OIP_SCHEMAS) => ({ $ref: `#/components/schemas/${name}` });

const parameters = (properties: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  description: 'Free-form parameters; the ones this server reads are listed.',
  properties,
  additionalProperties: true,
});

const tensorData: JsonSchema = {
  type: 'array',
  description:
    'Tensor elements in row-major order, flat or nested by shape: numbers, booleans for BOOL, strings for BYTES. ' +
    'INT64 and UINT64 stay exact beyond 2^53 when written as plain JSON numbers.',
  items: {},
};

const shape: JsonSchema = { type: 'array', items: { type: 'integer', minimum: 0 }, example: [1, 3] };

/**
 * The Open Inference Protocol v2 bodies (kserve/open-inference-protocol, REST), as this server
 * reads and writes them. Model inputs and outputs are known only once the model is loaded
 * (GET /v2/models/{name}), so tensors stay generic here.
 */
export const OIP_SCHEMAS = Object.freeze({
  Error: {
    type: 'object',
    description:
      'Every error this server answers. 4xx messages say what to change; 5xx messages are generic unless they name a model that cannot be served.',
    properties: { error: { type: 'string' } },
    required: ['error'],
  },
  Datatype: { type: 'string', enum: [...DATATYPE_NAMES] },
  ServerMetadata: {
    type: 'object',
    properties: {
      name: { type: 'string', example: 'onnxless' },
      version: { type: 'string' },
      extensions: { type: 'array', items: { type: 'string' }, example: ['binary_tensor_data'] },
    },
    required: ['name', 'version', 'extensions'],
  },
  ServerLive: { type: 'object', properties: { live: { type: 'boolean' } }, required: ['live'] },
  ServerReady: { type: 'object', properties: { ready: { type: 'boolean' } }, required: ['ready'] },
  ModelReady: {
    type: 'object',
    properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
    required: ['name', 'ready'],
  },
  TensorMetadata: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      datatype: { type: 'string', description: 'An OIP datatype, or the upper-cased onnxruntime type for one OIP cannot carry.' },
      shape: { type: 'array', items: { type: 'integer', minimum: -1 }, description: '-1 for a free dimension.' },
    },
    required: ['name', 'datatype', 'shape'],
  },
  ModelMetadata: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      versions: { type: 'array', items: { type: 'string' } },
      platform: { type: 'string', enum: ['onnxruntime_onnx'] },
      inputs: { type: 'array', items: { $ref: '#/components/schemas/TensorMetadata' } },
      outputs: { type: 'array', items: { $ref: '#/components/schemas/TensorMetadata' } },
      parameters: {
        type: 'object',
        description:
          "Extension: the ONNX file's metadata_props (a trained model's optimizer, learning rate, epochs, final loss) and its training loss curve, when it has them.",
        properties: {
          metadata: { type: 'object', additionalProperties: { type: 'string' } },
          loss_curve_svg: { type: 'string', description: 'SVG of the training loss per epoch (model.loss.svg in the model directory).' },
        },
      },
    },
    required: ['name', 'versions', 'platform', 'inputs', 'outputs'],
  },
  InferInput: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      shape,
      datatype: { $ref: '#/components/schemas/Datatype' },
      parameters: parameters({
        binary_data_size: {
          type: 'integer',
          minimum: 0,
          description: 'Binary tensor extension: the tensor is this many bytes of the binary part of the body, and data is absent.',
        },
      }),
      data: tensorData,
    },
    required: ['name', 'shape', 'datatype'],
  },
  RequestedOutput: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1 },
      parameters: parameters({ binary_data: { type: 'boolean', description: 'Answer this output as binary tensor data.' } }),
    },
    required: ['name'],
  },
  InferRequest: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      parameters: parameters({
        binary_data_output: { type: 'boolean', description: 'Answer every output as binary tensor data unless the output says otherwise.' },
      }),
      inputs: { type: 'array', minItems: 1, items: { $ref: '#/components/schemas/InferInput' } },
      outputs: {
        type: 'array',
        items: { $ref: '#/components/schemas/RequestedOutput' },
        description: 'Outputs to answer; all of them when absent.',
      },
    },
    required: ['inputs'],
  },
  InferOutput: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      shape,
      datatype: { $ref: '#/components/schemas/Datatype' },
      parameters: parameters({
        binary_data_size: {
          type: 'integer',
          minimum: 0,
          description: 'Present for a binary output: its bytes in the binary part of the body.',
        },
      }),
      data: tensorData,
    },
    required: ['name', 'shape', 'datatype'],
  },
  InferResponse: {
    type: 'object',
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      outputs: { type: 'array', items: { $ref: '#/components/schemas/InferOutput' } },
    },
    required: ['model_name', 'outputs'],
  },
} satisfies Record<string, JsonSchema>);
