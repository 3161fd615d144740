import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import type { onnx as Onnx } from 'onnx-proto';
import type { DenseNetwork, FloatArray } from './DenseNetwork';
import { onnx } from './onnxProto';

/** Names a client uses to call the exported model. */
export const onnxNames = { input: 'input', output: 'output', batchDim: 'batch' } as const;

/** Gemm with transB and Relu have existed since opset 6; 13 is a floor every current runtime accepts. */
export const onnxOpset = 13;
/** IR version 8 (ONNX 1.10), the newest onnx-proto 8 encodes; onnxruntime reads it. */
const irVersion = 8;

/** Facts about the training run, stored as the model's metadata_props (all values strings there). */
export interface TrainingFacts {
  readonly optimizer: string;
  readonly learningRate: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly finalTrainLoss: number;
  readonly finalValidationLoss: number;
  readonly data: string;
}

/**
 * The network as an ONNX ModelProto: `input` float32 [batch, in] -> Gemm(transB=1) per layer,
 * Relu between layers when the network has them -> `output` float32 [batch, out].
 * Weights keep PyTorch's [out, in] layout (hence transB), stored little-endian in raw_data.
 */
export function toOnnxModel(network: DenseNetwork, facts: TrainingFacts): Onnx.ModelProto {
  const initializer: Onnx.ITensorProto[] = [];
  const node: Onnx.INodeProto[] = [];
  let current: string = onnxNames.input;
  network.layers.forEach((layer, l) => {
    const last = l === network.layers.length - 1;
    const weightName = `layers.${l}.weight`;
    const biasName = `layers.${l}.bias`;
    initializer.push(floatTensor(weightName, [layer.outFeatures, layer.inFeatures], layer.weight));
    initializer.push(floatTensor(biasName, [layer.outFeatures], layer.bias));
    const gemmOut = last ? onnxNames.output : `layers.${l}.linear`;
    node.push({
      name: `layers.${l}.gemm`,
      opType: 'Gemm',
      input: [current, weightName, biasName],
      output: [gemmOut],
      attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
    });
    current = gemmOut;
    if (network.relu && !last) {
      const reluOut = `layers.${l}.relu`;
      node.push({ name: `layers.${l}.relu`, opType: 'Relu', input: [current], output: [reluOut] });
      current = reluOut;
    }
  });

  const architecture = network.layers
    .map((layer) => `Linear(${layer.inFeatures}, ${layer.outFeatures})`)
    .join(network.relu ? ' -> ReLU -> ' : ' -> ');
  const docString =
    `Dense regression network trained by onnxless: ${architecture}. ` +
    `${facts.optimizer}, learning rate ${facts.learningRate}, ${facts.epochs} epochs, seed ${facts.seed}; ` +
    `final validation MSE ${facts.finalValidationLoss}.`;
  return onnx.ModelProto.create({
    irVersion,
    opsetImport: [{ domain: '', version: onnxOpset }],
    producerName: 'onnxless',
    docString,
    graph: {
      name: 'onnxless_dense',
      docString,
      node,
      initializer,
      input: [floatValueInfo(onnxNames.input, network.inFeatures)],
      output: [floatValueInfo(onnxNames.output, network.outFeatures)],
    },
    metadataProps: Object.entries(metadataOf(network, facts)).map(([key, value]) => ({ key, value })),
  });
}

/** The metadata_props entries, keys in snake_case as ONNX tooling (Netron, onnx.helper) shows them. */
export function metadataOf(network: DenseNetwork, facts: TrainingFacts): Record<string, string> {
  return {
    optimizer: facts.optimizer,
    learning_rate: String(facts.learningRate),
    epochs: String(facts.epochs),
    batch_size: String(facts.batchSize),
    seed: String(facts.seed),
    layers: network.widths.join(','),
    relu: String(network.relu),
    loss: 'mse',
    final_train_loss: String(facts.finalTrainLoss),
    final_validation_loss: String(facts.finalValidationLoss),
    data: facts.data,
  };
}

/** Encodes and writes the model; a temp file renamed into place, so a reader never sees half a model. */
export async function writeOnnxModel(path: string, network: DenseNetwork, facts: TrainingFacts): Promise<void> {
  const bytes = onnx.ModelProto.encode(toOnnxModel(network, facts)).finish();
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function floatTensor(name: string, dims: number[], values: FloatArray): Onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}

function floatValueInfo(name: string, features: number): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: onnxNames.batchDim }, { dimValue: features }] },
      },
    },
  };
}
