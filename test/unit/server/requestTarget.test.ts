import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from '../../../lib/serve/nodeHttp/requestTarget';

describe('the request-target as a path and query', () => {
  it('reads each query parameter once', () => {
    expect(parseRequestTarget('/models/vad/predict?threshold=0.5&minSpeechMs=250')).toEqual({
      path: '/models/vad/predict',
      query: { threshold: '0.5', minSpeechMs: '250' },
    });
  });

  it('refuses a repeated query parameter with a 400, rather than keep the last (API Gateway would join them with a comma)', () => {
    for (const target of ['/models/vad/predict?threshold=0.9&threshold=0.1', '/x?a=1&b=2&a=1', '/x?a&a']) {
      expect(() => parseRequestTarget(target), target).toThrow(
        expect.objectContaining({ status: 400, message: expect.stringMatching(/query parameter '(threshold|a)' is given 2 times/) }),
      );
    }
  });

  it('keeps a parameter named __proto__ as an own property, never a prototype', () => {
    const { query } = parseRequestTarget('/x?__proto__=1');
    expect(Object.hasOwn(query, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(query)).toBe(Object.prototype);
  });
});
