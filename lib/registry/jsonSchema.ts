import { z } from 'zod';
import { ModelEntrySchema, PipelineEntrySchema, RegistrySchema } from './schema';

/**
 * The JSON Schema of `custom.onnxless`, generated from the zod schema (schema.ts) so the two cannot
 * drift: the serverless plugin registers it with the framework (lib/deploy/configSchema.ts), and
 * schema.json (scripts/build-schema.ts) gives it to editors through the YAML language server.
 *
 * Draft-07: the draft the framework's ajv compiles by default and the one the YAML language server
 * supports best. It describes the form a user writes, which differs from the zod schema's in two
 * ways: `kind: pipeline` entries sit among `models` (parseRegistry sets them apart), and strings
 * may hold serverless variables not yet resolved (`s3://${self:custom.onnxless.bucket.name}/x/1/`).
 */

export type JsonSchema = z.core.JSONSchema.BaseSchema;

export const REGISTRY_SCHEMA_ID = 'urn:onnxless:registry';

// A `${...}` anywhere in a string: the editor sees the value before the framework resolves it.
const VARIABLE = '\\$\\{';

const { pipelines: _setApartByParseRegistry, models, ...registryFields } = RegistrySchema.shape;

/** `custom.onnxless` as written: a `models` entry is a model or, with `kind: pipeline`, a pipeline. */
const WrittenRegistrySchema = z.strictObject({
  ...registryFields,
  models: z
    .record(models.unwrap().keyType, z.union([ModelEntrySchema, PipelineEntrySchema]))
    .default({})
    .describe(models.description ?? ''),
});

/** A fresh copy on every call: the framework edits the schema it is given. */
export function registryJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(WrittenRegistrySchema, { target: 'draft-7', io: 'input' });
  // `auth: iam` / `auth: none`: the shorthand AuthSchema's preprocess turns into `{ type }`, which
  // has no JSON form (zod describes the objects only).
  const auth = schema.properties?.auth;
  if (typeof auth === 'object' && Array.isArray(auth.oneOf)) auth.oneOf.unshift({ type: 'string', enum: ['iam', 'none'] });
  acceptVariables(schema);
  return {
    $schema: schema.$schema,
    $id: REGISTRY_SCHEMA_ID,
    title: 'onnxless registry (custom.onnxless)',
    description:
      'The models onnxless serves and how: each becomes its own Lambda function behind one HTTP API speaking the Open Inference Protocol v2. Values are checked as written; serverless variables (${...}) are resolved at deploy. docs/deploy.md explains every field.',
    ...schema,
  };
}

/**
 * Every string with a pattern or a format also takes a value holding a variable: the pattern is the
 * resolved value's, and a bucket name such as `${env:BUCKET, 'models-${sls:stage}'}` is valid as
 * written. Numbers, booleans and enums stay strict: the framework validates them resolved.
 */
function acceptVariables(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(acceptVariables);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as JsonSchema;
  if (schema.type === 'string' && typeof schema.pattern === 'string') schema.pattern = `(?:${schema.pattern})|${VARIABLE}`;
  if (schema.type === 'string' && typeof schema.format === 'string') {
    schema.anyOf = [{ format: schema.format }, { pattern: VARIABLE }];
    delete schema.format;
  }
  for (const [keyword, value] of Object.entries(schema)) if (!VALUE_KEYWORDS.has(keyword)) acceptVariables(value);
}

// Keywords whose values are data, not schemas: a default `{ type: 'string' }` is no string schema.
const VALUE_KEYWORDS = new Set(['default', 'enum', 'const', 'examples']);
