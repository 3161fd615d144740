import { describe, expect, it } from 'vitest';
import { toOpenApi30Schema } from '../../../lib/core/openapi';

describe('toOpenApi30Schema', () => {
  it('leaves a schema that is already OpenAPI 3.0 as it is', () => {
    const schema = {
      type: 'object',
      properties: { label: { type: 'string', enum: ['0', '180'] }, score: { type: 'number', minimum: 0, maximum: 1 } },
      required: ['label', 'score'],
    };

    expect(toOpenApi30Schema(schema)).toEqual(schema);
  });

  it('rewrites const, nullable type lists, numeric exclusive bounds and examples, at any depth', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        kind: { const: 'segments' },
        note: { type: ['string', 'null'], examples: ['a', 'b'] },
        items: { type: 'array', items: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 } },
        either: { anyOf: [{ const: 1 }, { type: ['integer', 'string'] }] },
      },
    };

    expect(toOpenApi30Schema(schema)).toEqual({
      type: 'object',
      properties: {
        kind: { enum: ['segments'] },
        note: { type: 'string', nullable: true, example: 'a' },
        items: { type: 'array', items: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: true } },
        either: { anyOf: [{ enum: [1] }, { anyOf: [{ type: 'integer' }, { type: 'string' }] }] },
      },
    });
  });

  it('does not change its input', () => {
    const schema = { type: 'object', properties: { kind: { const: 'x' } } };
    const copy = structuredClone(schema);

    toOpenApi30Schema(schema);

    expect(schema).toEqual(copy);
  });
});
