import { z } from 'zod';
import { ModelEntrySchema, PipelineEntrySchema, RegistrySchema, RepositoryEntrySchema } from './schema';

/**
 * The JSON Schema of `custom.onnxless`, generated from the zod schema (schema.ts) so the two cannot
 * drift: the serverless plugin registers it with the framework (lib/tools/deploy/configSchema.ts), and
 * schema.json (scripts/build-schema.ts) gives it to editors through the YAML language server.
 *
 * Draft-07: the draft the framework's ajv compiles by default and the one the YAML language server
 * supports best. It describes the form a user writes, which differs from the zod schema's in two
 * ways: `kind: pipeline` and `kind: repository` entries sit among `models` (parseRegistry sets them apart), and strings
 * may hold serverless variables not yet resolved (`s3://${self:custom.onnxless.bucket.name}/x/1/`).
 */

export type JsonSchema = z.core.JSONSchema.BaseSchema;

export const REGISTRY_SCHEMA_ID = 'urn:onnxless:registry';

const { pipelines: _setApartByParseRegistry, repositories: _alsoSetApart, models, ...registryFields } = RegistrySchema.shape;

/** `custom.onnxless` as written: a `models` entry is a model, or (`kind: pipeline`) a pipeline, or (`kind: repository`) a repository. */
const WrittenRegistrySchema = z.strictObject({
  ...registryFields,
  models: z
    .record(models.unwrap().keyType, z.union([ModelEntrySchema, PipelineEntrySchema, RepositoryEntrySchema]))
    .default({})
    .describe(models.description ?? ''),
});

/** A fresh copy on every call: the framework edits the schema it is given. */
export function registryJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(WrittenRegistrySchema, { target: 'draft-7', io: 'input' });
  // `auth: iam` / `auth: none`: the shorthand AuthSchema's preprocess turns into `{ type }`, which
  // has no JSON form (zod describes the objects only).
  const auth = schema.properties?.auth as JsonSchema;
  auth.oneOf = [{ type: 'string', enum: ['iam', 'none'] }, ...(auth.oneOf ?? [])];
  unionsAsConditions(schema);
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
 * Unions as chains of if/then: on the JSON type first, then, among objects, on the field whose
 * constant names the branch (`kind: pipeline`, `type: jwt`). A validator then reports the errors of
 * the branch the value chose ("unrecognized property 'weigths'") where for anyOf it reports that no
 * branch matched (the framework's ajv: "unsupported object format").
 */
function unionsAsConditions(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(unionsAsConditions);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as JsonSchema;
  for (const [keyword, value] of Object.entries(schema)) if (!VALUE_KEYWORDS.has(keyword)) unionsAsConditions(value);
  const options = schema.anyOf ?? schema.oneOf;
  if (!options?.every((option) => typeof option.type === 'string')) return;
  const branches: Branch[] = [];
  for (const type of new Set(options.map((option) => option.type))) {
    const ofType = options.filter((option) => option.type === type);
    const then = ofType.length === 1 ? ofType[0] : byDiscriminator(ofType);
    if (then === undefined) return; // objects with nothing to tell them apart: anyOf stays
    branches.push([{ type }, then]);
  }
  // The last branch's own `type` checks what the conditions before it let through.
  const last = branches.pop();
  if (last === undefined) return;
  delete schema.anyOf;
  delete schema.oneOf;
  Object.assign(schema, chain(branches, last[1]));
}

type Branch = [condition: JsonSchema, then: JsonSchema];

/** Objects with a different constant in one field; the one without the field (a model entry has no `kind`) takes the rest. */
function byDiscriminator(options: JsonSchema[]): JsonSchema | undefined {
  const constOf = (option: JsonSchema, key: string) => {
    const field = option.properties?.[key];
    return typeof field === 'object' ? field.const : undefined;
  };
  const keys = new Set(options.flatMap((option) => Object.keys(option.properties ?? {})));
  const key = [...keys].find((k) => new Set(options.map((option) => constOf(option, k))).size === options.length);
  if (key === undefined) return undefined;
  const named = options.flatMap((option) => {
    const value = constOf(option, key);
    return value === undefined ? [] : [{ value, option }];
  });
  const branches = named.map(({ value, option }): Branch => [
    { type: 'object', properties: { [key]: { const: value } }, required: [key] },
    option,
  ]);
  const otherwise = options.find((option) => constOf(option, key) === undefined) ?? {
    type: 'object',
    properties: { [key]: { enum: named.map(({ value }) => value) } },
    required: [key],
  };
  return chain(branches, otherwise);
}

/** `if c1 then s1 else if c2 then s2 ... else otherwise`. */
function chain(branches: Branch[], otherwise: JsonSchema): JsonSchema {
  return branches.reduceRight<JsonSchema>((next, [condition, then]) => ({ if: condition, then, else: next }), otherwise);
}

// A `${...}` anywhere in a string: the editor sees the value before the framework resolves it.
const VARIABLE = '\\$\\{';

/**
 * Every string with a pattern or a format also takes a value holding a variable: the pattern is the
 * resolved value's, and a bucket name such as `${env:BUCKET, 'models-${sls:stage}'}` is valid as
 * written. Numbers, booleans and enums stay strict: the framework checks them resolved, and in the
 * editor a variable in one of them shows as an error.
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

export const SERVERLESS_SCHEMA_ID = 'urn:onnxless:serverless.yml';

/**
 * A whole serverless.yml, for the editor's `# yaml-language-server: $schema=...` line (schema.json):
 * `custom.onnxless` is the registry; every other key is the framework's and left to it.
 * The registry may also be one variable (`onnxless: ${file(./models.yml)}`), resolved at deploy.
 */
export function serverlessYmlJsonSchema(): JsonSchema {
  const { $schema, $id: _registryId, ...registry } = registryJsonSchema();
  return {
    $schema,
    $id: SERVERLESS_SCHEMA_ID,
    title: 'serverless.yml with onnxless',
    description: "Checks custom.onnxless, the models onnxless serves; the rest of the file is the framework's, which checks it at deploy.",
    type: 'object',
    properties: {
      custom: {
        additionalProperties: true,
        properties: {
          onnxless: {
            description: registry.description,
            anyOf: [{ $ref: '#/definitions/onnxless' }, { type: 'string', pattern: '^\\$\\{.+\\}$' }],
          },
        },
      },
    },
    additionalProperties: true,
    definitions: { onnxless: registry },
  };
}
