import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnx } from '../../../lib/tools/train/onnxProto';
import { Rng } from '../../../lib/tools/train/Rng';
import { trainAndExport, type TrainResult } from '../../../lib/tools/train/trainAndExport';

/**
 * The exported model, run by the real onnxruntime, must compute what the trainer computes.
 * A ReLU network with two hidden layers exercises Gemm(transB), Relu and the layer wiring.
 */
let dir: string;
let trained: TrainResult;
let session: ort.InferenceSession;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnxless-export-'));
  trained = await trainAndExport({
    out: join(dir, 'dense.onnx'),
    layers: [6, 16, 12, 3],
    relu: true,
    epochs: 5,
    learningRate: 0.01,
    seed: 7,
  });
  session = await ort.InferenceSession.create(trained.modelPath);
});

afterAll(async () => {
  await session?.release();
  await rm(dir, { recursive: true, force: true });
});

describe('exported ONNX model', () => {
  it.each([1, 64])('gives the trainer forward outputs within 1e-5 for a batch of %i', async (batch) => {
    // prepare: inputs wider than the training data, so every ReLU sees both signs
    const rng = new Rng(batch);
    const input = Float32Array.from({ length: batch * 6 }, () => rng.normal() * 2);
    const expected = trained.network.forward(input, batch);

    // act
    const outputs = await session.run({ input: new ort.Tensor('float32', input, [batch, 6]) });

    // assess
    const output = outputs['output']!;
    expect(output.dims).toEqual([batch, 3]);
    const actual = output.data as Float32Array;
    expect(actual).toHaveLength(expected.length);
    let worst = 0;
    for (let k = 0; k < expected.length; k++) worst = Math.max(worst, Math.abs(actual[k]! - expected[k]!));
    expect(worst).toBeLessThanOrEqual(1e-5);
    // the outputs are not trivially equal (e.g. all zero)
    expect(new Set(Array.from(actual)).size).toBeGreaterThan(1);
  });

  it('names its input and output, with a symbolic batch dimension', () => {
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
  });

  it('stores the training facts in metadata_props and says who produced it', async () => {
    // act: parse the file back
    const model = onnx.ModelProto.decode(await readFile(trained.modelPath));

    // assess
    expect(model.producerName).toBe('onnxless');
    expect(model.docString).toContain('Linear(6, 16) -> ReLU -> Linear(16, 12) -> ReLU -> Linear(12, 3)');
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    const metadata = Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
    expect(metadata).toMatchObject({
      optimizer: 'adam',
      learning_rate: '0.01',
      epochs: '5',
      batch_size: '32',
      seed: '7',
      layers: '6,16,12,3',
      relu: 'true',
      data: 'synthetic',
    });
    expect(Number(metadata['final_train_loss'])).toBe(trained.finalTrainLoss);
    expect(Number(metadata['final_validation_loss'])).toBe(trained.finalValidationLoss);

    const graph = model.graph!;
    const nodes = graph.node!;
    expect(nodes.map((n) => n.opType)).toEqual(['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(nodes[0]!.attribute!.map((a) => [a.name, Number(a.i)])).toEqual([['transB', 1]]);
    const inputShape = graph.input![0]!.type!.tensorType!.shape!.dim!;
    expect(graph.input![0]!.name).toBe('input');
    expect(inputShape.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 6]);
    expect(graph.output![0]!.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', 3]);
    // initializers are the trained weights, bit for bit
    const weight0 = graph.initializer!.find((t) => t.name === 'layers.0.weight')!;
    expect(weight0.dims!.map(Number)).toEqual([16, 6]);
    const raw = weight0.rawData!;
    expect(
      Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).equals(
        Buffer.from(new Float32Array(trained.network.layers[0]!.weight).buffer),
      ),
    ).toBe(true);
  });
});
