import { describe, expect, it } from 'vitest';
import { HttpThreadParsing } from '../../../lib/serve/processingPool/HttpThreadParsing';

const LIMITS = { maxBodyBytes: 100, maxAnswerBytes: 200 };

describe('HttpThreadParsing: where an infer body is parsed', () => {
  it('sends every call to a processing thread until the model has answered once', () => {
    // prepare
    const parsing = new HttpThreadParsing(LIMITS);

    // act
    const before = [parsing.choose(10), parsing.choose(10)];
    parsing.answered(50);
    const after = parsing.choose(10);

    // assess
    expect(before).toEqual(['processing', 'processing']);
    expect(after).toBe('http');
    expect(parsing.counts).toEqual({ http: 1, processing: 2 });
  });

  it('parses a body up to the limit here, and one a byte over on a processing thread', () => {
    // prepare
    const parsing = new HttpThreadParsing(LIMITS);
    parsing.answered(200);

    // act
    const choices = [parsing.choose(100), parsing.choose(101)];

    // assess
    expect(choices).toEqual(['http', 'processing']);
  });

  it('keeps a model on the processing threads for good once one answer was over the limit', () => {
    // prepare
    const parsing = new HttpThreadParsing(LIMITS);
    parsing.answered(50);
    parsing.answered(201);

    // act
    parsing.answered(10);
    const choice = parsing.choose(1);

    // assess
    expect(choice).toBe('processing');
  });
});
