import { writeFileSync } from 'node:fs';
import type { onnx } from 'onnx-proto';
// Required, not imported: onnx-proto's CommonJS exports are invisible to Node's ESM loader (the bench runs this under tsx).
import { onnx as proto } from '../../lib/tools/train/onnxProto';

/** ONNX element type codes (TensorProto.DataType) by onnxruntime type name. */
export const ONNX_TYPES = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
} as const;
export type OnnxTypeName = keyof typeof ONNX_TYPES;

type Dim = number | string;
function valueInfo(name: string, type: OnnxTypeName, shape: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_TYPES[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export interface GraphSpec {
  inputs: Array<[string, OnnxTypeName, Dim[]]>;
  outputs: Array<[string, OnnxTypeName, Dim[]]>;
  nodes: onnx.INodeProto[];
  initializers?: onnx.ITensorProto[];
}

export function encodeModel(spec: GraphSpec, opset = 17): Uint8Array {
  const model = proto.ModelProto.create({
    irVersion: 8,
    producerName: 'onnxless-tests',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'test',
      node: spec.nodes,
      input: spec.inputs.map(([n, t, s]) => valueInfo(n, t, s)),
      output: spec.outputs.map(([n, t, s]) => valueInfo(n, t, s)),
      initializer: spec.initializers ?? [],
    },
  });
  return proto.ModelProto.encode(model).finish();
}

/** `input` -> `output` unchanged, one tensor of `type` and `shape` (symbolic dims by default). */
export function identityModel(
  type: OnnxTypeName = 'float32',
  shape: readonly Dim[] = ['n'],
  names: { input: string; output: string } = { input: 'x', output: 'y' },
): Uint8Array {
  return encodeModel({
    inputs: [[names.input, type, [...shape]]],
    outputs: [[names.output, type, [...shape]]],
    nodes: [{ opType: 'Identity', input: [names.input], output: [names.output] }],
  });
}

/** One Identity per datatype: `in_<type>` -> `out_<type>`, both [batch, n] with symbolic dims. */
export function allTypesIdentityModel(): Uint8Array {
  const types = Object.keys(ONNX_TYPES) as OnnxTypeName[];
  return encodeModel({
    inputs: types.map((t) => [`in_${t}`, t, ['batch', 'n']]),
    outputs: types.map((t) => [`out_${t}`, t, ['batch', 'n']]),
    nodes: types.map((t) => ({ opType: 'Identity', input: [`in_${t}`], output: [`out_${t}`] })),
  });
}

/**
 * y = x * 2 + 1 over a fixed [2, 3] float32 input; `sum = a + b` with free dims whose
 * broadcast fails at run time when the caller sends incompatible lengths.
 */
export function fixedShapeModel(): Uint8Array {
  const scalar = (name: string, v: number): onnx.ITensorProto => ({ name, dataType: 1, dims: [], floatData: [v] });
  return encodeModel({
    inputs: [
      ['x', 'float32', [2, 3]],
      ['a', 'float32', ['n']],
      ['b', 'float32', ['m']],
    ],
    outputs: [
      ['y', 'float32', [2, 3]],
      ['sum', 'float32', ['k']],
    ],
    nodes: [
      { opType: 'Mul', input: ['x', 'two'], output: ['x2'] },
      { opType: 'Add', input: ['x2', 'one'], output: ['y'] },
      { opType: 'Add', input: ['a', 'b'], output: ['sum'] },
    ],
    initializers: [scalar('two', 2), scalar('one', 1)],
  });
}

export function writeModel(path: string, bytes: Uint8Array): string {
  writeFileSync(path, bytes);
  return path;
}

/** A dense layer's weights from a seeded generator: the same model every run. */
function seededFloats(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** Offsets of external tensors are kept page-aligned, so onnxruntime may map them instead of copying. */
const EXTERNAL_ALIGN = 4096;

/**
 * y = x·W + b, W [inputs, outputs] and b seeded: once with its initializers inside the protobuf
 * (`single`), once with them in a separate file (`external`: model.onnx names `weightsFile`,
 * offsets and lengths), the layout any model over 2 GB must use.
 */
export function denseLayerModels(inputs: number, outputs: number, seed = 7, weightsFile = 'weights.bin') {
  const w = seededFloats(inputs * outputs, seed);
  const b = seededFloats(outputs, seed + 1);
  const spec = (initializers: onnx.ITensorProto[]): GraphSpec => ({
    inputs: [['x', 'float32', ['batch', inputs]]],
    outputs: [['y', 'float32', ['batch', outputs]]],
    nodes: [
      { opType: 'MatMul', input: ['x', 'W'], output: ['xw'] },
      { opType: 'Add', input: ['xw', 'b'], output: ['y'] },
    ],
    initializers,
  });
  const raw = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const single = encodeModel(
    spec([
      { name: 'W', dataType: 1, dims: [inputs, outputs], rawData: raw(w) },
      { name: 'b', dataType: 1, dims: [outputs], rawData: raw(b) },
    ]),
  );
  const bOffset = Math.ceil(w.byteLength / EXTERNAL_ALIGN) * EXTERNAL_ALIGN;
  const data = Buffer.alloc(bOffset + b.byteLength);
  data.set(raw(w), 0);
  data.set(raw(b), bOffset);
  const external = (name: string, dims: number[], offset: number, length: number): onnx.ITensorProto => ({
    name,
    dataType: 1,
    dims,
    dataLocation: proto.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: weightsFile },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ],
  });
  const model = encodeModel(spec([external('W', [inputs, outputs], 0, w.byteLength), external('b', [outputs], bOffset, b.byteLength)]));
  return { single, external: { model, data, weightsFile } };
}
