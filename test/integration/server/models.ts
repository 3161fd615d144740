import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { onnx } from 'onnx-proto';
import { encodeModel } from '../../support/onnxModels';

/** Deterministic pseudo-random floats in [-1, 1): the same weights on every run. */
function weights(count: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

function floatTensor(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  return { name, dataType: 1, dims, floatData: values };
}

export const BATCHABLE = { features: 16, classes: 8 } as const;

/**
 * A small classifier, batchable along dim 0 of every input and output:
 * probs = softmax(x W + b) [batch, 8] (float32), label = argmax(probs) [batch] (int64),
 * scaled = ids * 3 [batch, 4] (int32).
 */
export function batchableModel(): Uint8Array {
  const { features, classes } = BATCHABLE;
  return encodeModel({
    inputs: [
      ['x', 'float32', ['batch', features]],
      ['ids', 'int32', ['batch', 4]],
    ],
    outputs: [
      ['probs', 'float32', ['batch', classes]],
      ['label', 'int64', ['batch']],
      ['scaled', 'int32', ['batch', 4]],
    ],
    nodes: [
      { opType: 'MatMul', input: ['x', 'W'], output: ['xw'] },
      { opType: 'Add', input: ['xw', 'B'], output: ['logits'] },
      { opType: 'Softmax', input: ['logits'], output: ['probs'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
      {
        opType: 'ArgMax',
        input: ['probs'],
        output: ['label'],
        attribute: [
          { name: 'axis', type: 2, i: 1 },
          { name: 'keepdims', type: 2, i: 0 },
        ],
      },
      { opType: 'Mul', input: ['ids', 'three'], output: ['scaled'] },
    ],
    initializers: [
      floatTensor('W', [features, classes], weights(features * classes, 7)),
      floatTensor('B', [classes], weights(classes, 11)),
      { name: 'three', dataType: 6, dims: [], int32Data: [3] },
    ],
  });
}

/**
 * Deliberately slow: `steps` chained 512x512 MatMuls that depend on the input, so onnxruntime
 * cannot fold them away at load time. y = x + 0 * mean(chain) keeps the input's shape [batch, 1].
 */
export function slowModel(steps: number): Uint8Array {
  const n = 512;
  const identity = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 1 : 0));
  const nodes: onnx.INodeProto[] = [
    { opType: 'ReduceSum', input: ['x'], output: ['s'], attribute: [{ name: 'keepdims', type: 2, i: 0 }] },
    { opType: 'Add', input: ['A', 's'], output: ['t0'] },
  ];
  for (let i = 0; i < steps; i++) nodes.push({ opType: 'MatMul', input: [`t${i}`, 'W'], output: [`t${i + 1}`] });
  nodes.push(
    { opType: 'ReduceMean', input: [`t${steps}`], output: ['m'] },
    { opType: 'Mul', input: ['m', 'zero'], output: ['m0'] },
    { opType: 'Add', input: ['x', 'm0'], output: ['y'] },
  );
  return encodeModel({
    inputs: [['x', 'float32', ['batch', 1]]],
    outputs: [['y', 'float32', ['batch', 1]]],
    nodes,
    initializers: [floatTensor('A', [n, n], weights(n * n, 3)), floatTensor('W', [n, n], identity), floatTensor('zero', [], [0])],
  });
}

export function writeModels(dir: string, steps = 24): { batchable: string; slow: string } {
  const batchable = join(dir, 'batchable.onnx');
  const slow = join(dir, 'slow.onnx');
  writeFileSync(batchable, batchableModel());
  writeFileSync(slow, slowModel(steps));
  return { batchable, slow };
}
