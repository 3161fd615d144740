import { Tensor } from 'onnxruntime-node';
import { PayloadTooLargeError } from '../../errors';
import type { LoadedTokenizer } from './loadTokenizer';

export interface EncodeOptions {
  /** Longest sequence in tokens, special tokens included. */
  maxLength: number;
  /** Cut longer texts to maxLength (default true); false makes them a 413. */
  truncation?: boolean;
  /** `longest`: pad to the longest text of the batch (default); `maxLength`: always pad to maxLength. */
  padding?: 'longest' | 'maxLength';
  /** Pad id; default: tokenizer.json's padding.pad_id, then the config's pad_token. */
  padId?: number;
  /** Add the model's special tokens (BOS, [CLS]/[SEP]...) (default true). */
  addSpecialTokens?: boolean;
  /** Also return token_type_ids (BERT-style models). */
  tokenTypeIds?: boolean;
}

/** int64 tensors ready to feed ([batch, length] each), plus the unpadded lengths. */
export interface EncodedBatch {
  inputIds: Tensor;
  attentionMask: Tensor;
  tokenTypeIds?: Tensor;
  lengths: number[];
}

interface Sequence {
  ids: number[];
  typeIds: number[];
}

/** Resolves the pad id from options or the tokenizer's own files; fails naming the setting. */
export function padIdOf(loaded: LoadedTokenizer, padId?: number): number {
  if (padId !== undefined) return padId;
  const fromJson = loaded.json.padding?.pad_id;
  if (fromJson !== undefined) return fromJson;
  const token = loaded.config.pad_token;
  const content = typeof token === 'string' ? token : token?.content;
  const id = content === undefined ? undefined : loaded.tokenizer.token_to_id(content);
  if (id !== undefined) return id;
  throw new Error('tokenizer defines no pad token; set the padId option (e.g. to the EOS or UNK id)');
}

/**
 * Tokenises a batch into input_ids / attention_mask (/ token_type_ids) with truncation and padding.
 * Truncation cuts the text's own tokens and keeps the special tokens around them (a BERT
 * sequence still ends in [SEP]), as Hugging Face's `truncation=True` does for single texts.
 */
export function encodeTexts(loaded: LoadedTokenizer, texts: readonly string[], options: EncodeOptions): EncodedBatch {
  const { maxLength } = options;
  if (!(Number.isInteger(maxLength) && maxLength > 0)) throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  if (texts.length === 0) throw new RangeError('encodeTexts needs at least one text');
  const padId = padIdOf(loaded, options.padId);
  const sequences = texts.map((text, i) => encodeOne(loaded, text, i, options));
  const length = options.padding === 'maxLength' ? maxLength : Math.max(...sequences.map((s) => s.ids.length));
  const size = texts.length * length;
  const ids = new BigInt64Array(size).fill(BigInt(padId));
  const mask = new BigInt64Array(size);
  const types = new BigInt64Array(size);
  sequences.forEach((sequence, row) => {
    sequence.ids.forEach((id, j) => {
      ids[row * length + j] = BigInt(id);
      mask[row * length + j] = 1n;
      types[row * length + j] = BigInt(sequence.typeIds[j] ?? 0);
    });
  });
  const dims = [texts.length, length];
  return {
    inputIds: new Tensor('int64', ids, dims),
    attentionMask: new Tensor('int64', mask, dims),
    ...(options.tokenTypeIds ? { tokenTypeIds: new Tensor('int64', types, dims) } : {}),
    lengths: sequences.map((s) => s.ids.length),
  };
}

function encodeOne(loaded: LoadedTokenizer, text: string, index: number, options: EncodeOptions): Sequence {
  const { tokenizer } = loaded;
  const addSpecial = options.addSpecialTokens ?? true;
  const full = tokenizer.encode(text, { add_special_tokens: addSpecial, return_token_type_ids: true });
  const typeIds = full.token_type_ids ?? [];
  if (full.ids.length <= options.maxLength) return { ids: full.ids, typeIds };
  if (options.truncation === false) {
    throw new PayloadTooLargeError(`text ${index} is ${full.ids.length} tokens long, over the limit of ${options.maxLength}`);
  }
  if (!addSpecial) return { ids: full.ids.slice(0, options.maxLength), typeIds: typeIds.slice(0, options.maxLength) };
  // full = prefix specials + content + suffix specials; locate the content to cut inside it.
  const content = tokenizer.encode(text, { add_special_tokens: false }).ids;
  const specials = full.ids.length - content.length;
  if (specials >= options.maxLength) {
    throw new Error(`maxLength ${options.maxLength} leaves no room for text next to ${specials} special tokens`);
  }
  let prefix = 0;
  while (prefix <= specials && !startsWithAt(full.ids, content, prefix)) prefix++;
  if (prefix > specials) prefix = 0; // unusual template: fall back to cutting the end
  const keep = options.maxLength - specials;
  const pick = (values: number[]) => [
    ...values.slice(0, prefix),
    ...values.slice(prefix, prefix + keep),
    ...values.slice(prefix + content.length),
  ];
  return { ids: pick(full.ids), typeIds: typeIds.length === full.ids.length ? pick(typeIds) : [] };
}

function startsWithAt(haystack: readonly number[], needle: readonly number[], at: number): boolean {
  for (let i = 0; i < needle.length; i++) if (haystack[at + i] !== needle[i]) return false;
  return true;
}
