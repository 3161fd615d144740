import { describe, expect, it } from 'vitest';
import { readInferBody } from '../../../lib/core/protocol/inferBody';
import { parseInferRequest, type InferRequest } from '../../../lib/core/protocol/inferRequest';
import { MAX_REMEMBERED_HEADER, rememberedRequest } from '../../../lib/core/protocol/rememberedHeader';
import { errorOf } from '../../support/errorOf';

/** A parse that counts its calls: how often the header was really parsed and validated. */
function countingParse() {
  const texts: string[] = [];
  const parse = (text: string): InferRequest => {
    texts.push(text);
    return parseInferRequest(JSON.parse(text));
  };
  return { parse, texts };
}

const header = (shape: number[], id?: string) =>
  JSON.stringify({
    ...(id === undefined ? {} : { id }),
    inputs: [{ name: 'x', datatype: 'FP32', shape, parameters: { binary_data_size: 4 } }],
  });

describe('binary request headers read once per distinct text', () => {
  it('parses a header sent again only once, and a different one again', () => {
    const { parse, texts } = countingParse();
    const first = rememberedRequest(header([1, 1], 'a'), parse);
    const again = rememberedRequest(header([1, 1], 'a'), parse);
    const other = rememberedRequest(header([1, 1], 'b'), parse);
    expect(texts).toHaveLength(2);
    expect(again).toBe(first);
    expect(other.id).toBe('b');
    expect(rememberedRequest(header([1, 1], 'a'), parse).id).toBe('a');
    expect(texts).toHaveLength(3);
  });

  it('hands out a frozen request, so a reader cannot change what the next call gets', () => {
    const { parse } = countingParse();
    const request = rememberedRequest(header([2, 3]), parse);
    expect(Object.isFrozen(request)).toBe(true);
    expect(Object.isFrozen(request.inputs[0]?.shape)).toBe(true);
    expect(() => (request.inputs[0]?.shape as number[]).push(4)).toThrow(TypeError);
    expect(rememberedRequest(header([2, 3]), parse).inputs[0]?.shape).toEqual([2, 3]);
  });

  it('keeps nothing from a header that fails: the same bad header fails again', () => {
    const { parse, texts } = countingParse();
    const bad = JSON.stringify({ inputs: [] });
    expect(() => rememberedRequest(bad, parse)).toThrow(/inputs/);
    expect(() => rememberedRequest(bad, parse)).toThrow(/inputs/);
    expect(texts).toHaveLength(2);
  });

  it('parses a header longer than the limit every time', () => {
    const { parse, texts } = countingParse();
    const long = header([1, 1]) + ' '.repeat(MAX_REMEMBERED_HEADER);
    rememberedRequest(long, parse);
    rememberedRequest(long, parse);
    expect(texts).toHaveLength(2);
  });

  it('answers the same 400 for a bad binary header on every request through readInferBody', () => {
    const head = Buffer.from(
      JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: 'wide', parameters: { binary_data_size: 4 } }] }),
    );
    const body = Buffer.concat([head, Buffer.alloc(4)]);
    for (let i = 0; i < 2; i++) {
      expect(errorOf(() => readInferBody(body, '', String(head.length)))).toMatchObject({
        status: 400,
        message: expect.stringContaining('shape'),
      });
    }
  });
});
