// zod/mini with named imports: the function bundle parses it on every cold start (zod's full build is ~470 KB).
import { array, minLength, strictObject, string, toJSONSchema, union } from 'zod/mini';
import { PayloadTooLargeError } from '../errors';
import type { CompanionFiles } from '../pipeline/CompanionFiles';
import type { Pipeline } from '../pipeline/Pipeline';
// Steps imported file by file, not from '../processing': its index also re-exports the image
// steps, and their sharp import would make this function need the sharp layer.
import { parseJsonBody } from '../processing/input/jsonBody';
import { assertAcceptedMediaType, JSON_MEDIA_TYPE } from '../processing/input/mediaType';
import { l2Normalize } from '../processing/postprocess/l2Normalize';
import { meanPooling } from '../processing/postprocess/meanPooling';
import { encodeTexts } from '../processing/text/encodeTexts';
import { createTokenizer, type LoadedTokenizer, type TokenizerConfig, type TokenizerJson } from '../processing/text/loadTokenizer';

export interface TextEmbeddingResult {
  /** One unit-length vector per text, in request order. */
  embeddings: number[][];
}

export interface TextEmbeddingOptions {
  /** Longest text in tokens, special tokens included (default 256); longer texts are cut. */
  maxLength?: number;
  /** Most texts per request (default 64); more is a 413. */
  maxTexts?: number;
}

const bodySchema = union([string().check(minLength(1)), strictObject({ texts: array(string().check(minLength(1))).check(minLength(1)) })]);

/**
 * Sentence embeddings (a sentence-transformers encoder exported to ONNX): texts in, mean-pooled,
 * L2-normalised vectors out. The tokenizer is the model's own: `tokenizer.json` (and
 * `tokenizer_config.json` when present) from its model directory.
 */
export function createTextEmbedding(options: TextEmbeddingOptions = {}): Pipeline<TextEmbeddingResult> {
  const maxLength = options.maxLength ?? 256;
  const maxTexts = options.maxTexts ?? 64;
  const tokenizers = new WeakMap<CompanionFiles, Promise<LoadedTokenizer>>();
  const tokenizerOf = (files: CompanionFiles | undefined): Promise<LoadedTokenizer> => {
    if (!files) return Promise.reject(new Error('textEmbedding needs the model directory (runner.files) for its tokenizer'));
    let loaded = tokenizers.get(files);
    if (!loaded) {
      loaded = (async () => {
        const json = JSON.parse(await files.readText('tokenizer.json')) as TokenizerJson;
        const config = await files.readText('tokenizer_config.json').then(
          (t) => JSON.parse(t) as TokenizerConfig,
          () => ({}),
        );
        return createTokenizer(json, config);
      })();
      loaded.catch(() => tokenizers.delete(files));
      tokenizers.set(files, loaded);
    }
    return loaded;
  };
  const pipeline: Pipeline<TextEmbeddingResult> = {
    accepts: [JSON_MEDIA_TYPE],
    description: 'Sentence embeddings: a JSON string or {"texts": [...]} in, one unit-length vector per text out (mean pooling).',
    // From the schema that parses the body: the document and the playground's form cannot drift from it.
    requestSchema: toJSONSchema(bodySchema),
    resultSchema: {
      type: 'object',
      required: ['embeddings'],
      properties: { embeddings: { type: 'array', items: { type: 'array', items: { type: 'number' } } } },
    },
    async predict(request, runner) {
      assertAcceptedMediaType(request.contentType, [JSON_MEDIA_TYPE]);
      const body = parseJsonBody(request.body, bodySchema);
      const texts = typeof body === 'string' ? [body] : body.texts;
      if (texts.length > maxTexts) throw new PayloadTooLargeError(`texts: at most ${maxTexts} per request, got ${texts.length}`);
      const loaded = await tokenizerOf(runner.files);
      const names = new Set(runner.inputs.map((i) => i.name));
      const batch = encodeTexts(loaded, texts, { maxLength, padId: safePadId(loaded), tokenTypeIds: names.has('token_type_ids') });
      const feeds = {
        input_ids: batch.inputIds,
        ...(names.has('attention_mask') ? { attention_mask: batch.attentionMask } : {}),
        ...(batch.tokenTypeIds && names.has('token_type_ids') ? { token_type_ids: batch.tokenTypeIds } : {}),
      };
      const output = runner.outputs[0]?.name ?? 'last_hidden_state';
      const hidden = (await runner.run(feeds, [output]))[output];
      if (!hidden || hidden.dims.length !== 3)
        throw new Error(`textEmbedding expects a [batch, tokens, dims] output, got ${JSON.stringify(hidden?.dims)}`);
      const pooled = meanPooling(
        hidden.data as Float32Array,
        batch.attentionMask.data as BigInt64Array,
        hidden.dims as [number, number, number],
      );
      return { embeddings: pooled.map((v) => Array.from(l2Normalize(v))) };
    },
  };
  return Object.freeze(pipeline);
}

/** The tokenizer's pad id, else 0: padded positions are masked out of the mean anyway. */
function safePadId(loaded: LoadedTokenizer): number {
  const fromJson = loaded.json.padding?.pad_id;
  return fromJson ?? 0;
}
