import type { JsonSchema } from './types';

// Keywords whose value is one schema, or a list or a map of schemas.
const ONE = ['items', 'additionalProperties', 'not'] as const;
const LIST = ['allOf', 'anyOf', 'oneOf'] as const;
const MAP = ['properties'] as const;
// Meta keywords OpenAPI 3.0 Schema Objects do not allow and that carry no constraint.
const DROPPED = ['$schema', '$id', '$comment'] as const;

/**
 * A pipeline's JSON schema (draft 2020-12 habits) as an OpenAPI 3.0 Schema Object: `const`
 * becomes a one-value `enum`, `type: [T, 'null']` becomes `nullable`, numeric
 * `exclusiveMinimum`/`exclusiveMaximum` become the 3.0 boolean form, `examples` becomes
 * `example`. Anything else passes through unchanged, for the validator to judge.
 */
export function toOpenApi30Schema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((DROPPED as readonly string[]).includes(key)) continue;
    if (key === 'const') out.enum = [value];
    else if (key === 'examples' && Array.isArray(value)) {
      if (value.length > 0 && !('example' in schema)) out.example = value[0];
    } else if ((key === 'exclusiveMinimum' || key === 'exclusiveMaximum') && typeof value === 'number') {
      out[key === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = value;
      out[key] = true;
    } else if ((ONE as readonly string[]).includes(key) && isSchema(value)) out[key] = toOpenApi30Schema(value);
    else if ((LIST as readonly string[]).includes(key) && Array.isArray(value)) {
      out[key] = value.map((v) => (isSchema(v) ? toOpenApi30Schema(v) : v));
    } else if ((MAP as readonly string[]).includes(key) && isSchema(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSchema(v) ? toOpenApi30Schema(v) : v]));
    } else out[key] = value;
  }
  return Array.isArray(out.type) ? withSingleType(out, out.type as unknown[]) : out;
}

function withSingleType(schema: JsonSchema, types: unknown[]): JsonSchema {
  const { type: _, ...rest } = schema;
  const nonNull = types.filter((t) => t !== 'null');
  const nullable = nonNull.length < types.length ? { nullable: true } : {};
  if (nonNull.length === 1) return { ...rest, type: nonNull[0], ...nullable };
  return { ...rest, anyOf: nonNull.map((t) => ({ type: t })), ...nullable };
}

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
