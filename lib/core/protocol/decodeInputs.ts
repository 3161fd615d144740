import type { Tensor } from 'onnxruntime-node';
// onnxruntime on first use, not at module load: a handler's start does not pay its native load.
import { onnxruntime } from '../onnx/onnxruntime';
import { BadRequestError } from '../errors';
import type { TensorSpec } from '../pipeline/Pipeline';
import { BinaryCursor, fromBinaryData } from './binaryTensor';
import { DATATYPES, datatypeOf, isDatatype, DATATYPE_NAMES, type Datatype } from './datatypes';
import { elementCount } from './elementCount';
import { flattenData } from './flatten';
import { fromJsonData } from './fromJsonData';
import type { InferInput, InferRequest } from './inferRequest';
import type { ProtocolLimits } from './limits';

/**
 * OIP inputs -> onnxruntime feeds, checked against the model's own input metadata: names,
 * datatypes, ranks, fixed dimensions, and data length against shape x datatype.
 */
export function decodeInputs(
  request: InferRequest,
  modelInputs: readonly TensorSpec[],
  limits: ProtocolLimits,
  binary?: Buffer,
): Record<string, Tensor> {
  const specs = new Map(modelInputs.map((s) => [s.name, s]));
  const cursor = new BinaryCursor(binary ?? Buffer.alloc(0));
  const feeds: Record<string, Tensor> = {};
  for (const input of request.inputs) {
    const spec = specs.get(input.name);
    if (!spec) {
      throw new BadRequestError(`unknown input '${input.name}'; the model expects: ${modelInputs.map((s) => s.name).join(', ')}`);
    }
    if (Object.hasOwn(feeds, input.name)) throw new BadRequestError(`input '${input.name}' is given twice`);
    feeds[input.name] = decodeInput(input, spec, limits, cursor);
  }
  cursor.assertConsumed();
  for (const spec of modelInputs) {
    if (!Object.hasOwn(feeds, spec.name)) throw new BadRequestError(`missing input '${spec.name}'`);
  }
  return feeds;
}

function decodeInput(input: InferInput, spec: TensorSpec, limits: ProtocolLimits, cursor: BinaryCursor): Tensor {
  const datatype = checkDatatype(input, spec);
  const count = elementCount(input.name, input.shape, limits.maxTensorElements);
  checkShape(input, spec);
  const binarySize = input.parameters?.binary_data_size;
  let data;
  if (binarySize !== undefined) {
    if (input.data !== undefined) {
      throw new BadRequestError(`input '${input.name}': give either data or binary_data_size, not both`);
    }
    data = fromBinaryData(input.name, datatype, cursor.take(input.name, binarySize as number), count);
  } else {
    if (input.data === undefined) throw new BadRequestError(`input '${input.name}': data is missing`);
    data = fromJsonData(input.name, datatype, flattenData(input.name, input.data, input.shape, count));
  }
  return new (onnxruntime().Tensor)(DATATYPES[datatype].ort, data as never, input.shape);
}

function checkDatatype(input: InferInput, spec: TensorSpec): Datatype {
  if (!isDatatype(input.datatype)) {
    throw new BadRequestError(`input '${input.name}': unknown datatype '${input.datatype}'; expected one of ${DATATYPE_NAMES.join(', ')}`);
  }
  const expected = datatypeOf(spec.type);
  if (expected !== input.datatype) {
    throw new BadRequestError(`input '${input.name}': datatype ${input.datatype} does not match the model's ${expected ?? spec.type}`);
  }
  return input.datatype;
}

function checkShape(input: InferInput, spec: TensorSpec): void {
  if (spec.shape.length !== input.shape.length) {
    throw new BadRequestError(
      `input '${input.name}': shape [${input.shape.join(', ')}] has rank ${input.shape.length}, the model expects rank ${spec.shape.length} [${describeShape(spec.shape)}]`,
    );
  }
  spec.shape.forEach((dim, i) => {
    if (typeof dim === 'number' && dim >= 0 && input.shape[i] !== dim) {
      throw new BadRequestError(
        `input '${input.name}': shape[${i}] is ${input.shape[i]}, the model fixes it to ${dim} [${describeShape(spec.shape)}]`,
      );
    }
  });
}

export function describeShape(shape: ReadonlyArray<number | string>): string {
  return shape.map((d) => (typeof d === 'number' && d >= 0 ? String(d) : -1)).join(', ');
}
