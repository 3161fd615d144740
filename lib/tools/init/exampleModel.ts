import { onnx } from '../train/onnxProto';

/**
 * The new project's example model, generated at init so a project answers with nothing to
 * download: a dense layer `y = x·W + b` whose weights make its answer easy to check by hand.
 * For each row of four numbers, y[0] is their sum and y[1] their mean: x = [1, 2, 3, 4] gives
 * y = [10, 2.5], exactly (every weight is a power of two, so float32 adds no rounding here).
 */
export const EXAMPLE_MODEL = {
  input: 'x',
  output: 'y',
  features: 4,
  outputs: 2,
  /** W, [features, outputs], row-major: each input counts once in the sum and a quarter in the mean. */
  weights: [1, 0.25, 1, 0.25, 1, 0.25, 1, 0.25],
  bias: [0, 0],
} as const;

// MatMul and Add exist unchanged since opset 13, the floor the trainer's exports use too.
const OPSET = 13;
// IR version 8 (ONNX 1.10): the newest onnx-proto 8 encodes; onnxruntime reads it.
const IR_VERSION = 8;

/** model.onnx's bytes: `x` float32 [batch, 4] -> MatMul W -> Add b -> `y` float32 [batch, 2]. */
export function exampleModelBytes(): Uint8Array {
  const { input, output, features, outputs, weights, bias } = EXAMPLE_MODEL;
  const float = onnx.TensorProto.DataType.FLOAT;
  const tensor = (name: string, shape: Array<number | string>) => ({
    name,
    type: {
      tensorType: { elemType: float, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } },
    },
  });
  const docString = `Example dense layer written by onnxless init: y[0] is the sum of the ${features} inputs, y[1] their mean.`;
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: 'onnxless',
    opsetImport: [{ domain: '', version: OPSET }],
    docString,
    graph: {
      name: 'example',
      docString,
      node: [
        { name: 'dense.matmul', opType: 'MatMul', input: [input, 'W'], output: ['xW'] },
        { name: 'dense.add', opType: 'Add', input: ['xW', 'b'], output: [output] },
      ],
      initializer: [
        { name: 'W', dataType: float, dims: [features, outputs], floatData: [...weights] },
        { name: 'b', dataType: float, dims: [outputs], floatData: [...bias] },
      ],
      input: [tensor(input, ['batch', features])],
      output: [tensor(output, ['batch', outputs])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
