import { describe, expect, it } from 'vitest';
import { errorOf } from '../../support/errorOf';
import { z } from 'zod';
import { BadRequestError, UnsupportedMediaTypeError } from '../../../lib/core/errors';
import { IMAGE_INPUT, parseJsonBody, parseQuery, readMediaInput } from '../../../lib/core/processing';

const request = (contentType: string, body: string | Buffer) => ({ contentType, body: Buffer.from(body), query: {} });

describe('readMediaInput', () => {
  it('passes a raw body of an accepted media type through', () => {
    const input = readMediaInput(request('image/png', 'PNGBYTES'), IMAGE_INPUT);
    expect(input).toEqual({ bytes: Buffer.from('PNGBYTES'), mediaType: 'image/png' });
  });

  it('decodes the base64 field of a JSON body, with or without a data: URL prefix', () => {
    const b64 = Buffer.from('PNGBYTES').toString('base64');
    expect(readMediaInput(request('application/json', JSON.stringify({ image: b64 })), IMAGE_INPUT).bytes.toString()).toBe('PNGBYTES');
    expect(
      readMediaInput(request('application/json', JSON.stringify({ image: `data:image/png;base64,${b64}` })), IMAGE_INPUT).bytes.toString(),
    ).toBe('PNGBYTES');
  });

  it('answers 415 listing the accepted types', () => {
    const error = errorOf(() => readMediaInput(request('image/gif', 'GIF89a'), IMAGE_INPUT));
    expect(error).toBeInstanceOf(UnsupportedMediaTypeError);
    expect(error.status).toBe(415);
    expect(error.message).toContain('image/png, image/jpeg, image/webp, application/json');
  });

  it('answers 400 naming the field when the JSON has no image', () => {
    const error = errorOf(() => readMediaInput(request('application/json', '{"img": "aGVsbG8="}'), IMAGE_INPUT));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toMatch(/^field 'image': /);
  });

  it('answers 400 naming the field when it is not base64', () => {
    const error = errorOf(() => readMediaInput(request('application/json', '{"image": "not base64!"}'), IMAGE_INPUT));
    expect(error.message).toBe("field 'image': is not valid base64");
  });

  it('answers 400 for malformed JSON', () => {
    expect(errorOf(() => readMediaInput(request('application/json', '{"image": '), IMAGE_INPUT)).message).toMatch(
      /^body is not valid JSON/,
    );
  });
});

describe('parseJsonBody and parseQuery', () => {
  it('name the nested field or parameter at fault', () => {
    const schema = z.object({ inputs: z.array(z.object({ name: z.string() })) });
    expect(errorOf(() => parseJsonBody(Buffer.from('{"inputs": [{"name": 3}]}'), schema)).message).toMatch(/^field 'inputs\[0\]\.name': /);
    expect(errorOf(() => parseQuery({ k: 'x' }, z.object({ k: z.coerce.number() }))).message).toMatch(/^query parameter 'k': /);
  });
});
