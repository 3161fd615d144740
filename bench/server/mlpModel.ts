import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** Sizes of the bench's batchable model: an MLP whose weights (68 MB at hidden 4096) dominate a single-row run. */
export const MLP = { input: 256, hidden: 4096, output: 16 } as const;

/**
 * logits = relu(relu(x W1) W2) W3, x: [batch, 256] float32. One row reads every weight once for
 * a few MFLOPs (memory-bound); 32 rows read them once for 32 times the work: what batching buys.
 */
export function mlpModel(hidden: number = MLP.hidden): Uint8Array {
  const { input, output } = MLP;
  let state = 12345;
  const weights = (n: number, scale: number) =>
    Array.from({ length: n }, () => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return (state / 2 ** 31 - 1) * scale;
    });
  const tensor = (name: string, dims: number[]) => ({
    name,
    dataType: 1,
    dims,
    floatData: weights(dims[0]! * dims[1]!, 1 / Math.sqrt(dims[0]!)),
  });
  const info = (name: string, width: number) => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'onnxless-bench',
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'mlp',
      input: [info('x', input)],
      output: [info('logits', output)],
      initializer: [tensor('W1', [input, hidden]), tensor('W2', [hidden, hidden]), tensor('W3', [hidden, output])],
      node: [
        { opType: 'MatMul', input: ['x', 'W1'], output: ['h1'] },
        { opType: 'Relu', input: ['h1'], output: ['a1'] },
        { opType: 'MatMul', input: ['a1', 'W2'], output: ['h2'] },
        { opType: 'Relu', input: ['h2'], output: ['a2'] },
        { opType: 'MatMul', input: ['a2', 'W3'], output: ['logits'] },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
