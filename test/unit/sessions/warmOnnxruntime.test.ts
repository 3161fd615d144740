import { describe, expect, it } from 'vitest';
import { onnxruntime } from '../../../lib/core/onnx/onnxruntime';
import { IDENTITY_GRAPH_BASE64, warmOnnxruntime } from '../../../lib/core/onnx/warmOnnxruntime';
import { onnx } from '../../../lib/tools/train/onnxProto';

describe('warming onnxruntime while the weights arrive', () => {
  it('uses a graph that is exactly a one-node Identity model made with onnx-proto, and onnxruntime runs it', async () => {
    const type = { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 1 }] } } };
    const made = onnx.ModelProto.encode(
      onnx.ModelProto.create({
        irVersion: 8,
        opsetImport: [{ domain: '', version: 17 }],
        graph: {
          name: 'warm',
          node: [{ opType: 'Identity', input: ['x'], output: ['y'] }],
          input: [{ name: 'x', type }],
          output: [{ name: 'y', type }],
        },
      }),
    ).finish();
    expect(Buffer.from(made).toString('base64')).toBe(IDENTITY_GRAPH_BASE64);

    const { InferenceSession, Tensor } = onnxruntime();
    const session = await InferenceSession.create(Buffer.from(IDENTITY_GRAPH_BASE64, 'base64'));
    const out = await session.run({ x: new Tensor('float32', Float32Array.from([2.5]), [1]) });
    expect(Array.from(out.y?.data as Float32Array)).toEqual([2.5]);
    await session.release();
  });

  it('settles once, and every later call gets the same promise', async () => {
    const first = warmOnnxruntime();
    expect(warmOnnxruntime()).toBe(first);
    await expect(first).resolves.toBeUndefined();
  });
});
