import { registryJsonSchema, type JsonSchema } from '../registry/jsonSchema';

/**
 * Registers `custom.onnxless` with the framework's configuration schema, so every command checks it
 * with the rest of serverless.yml (variables resolved, before any plugin hook runs). osls compiles
 * one draft-07 document with ajv in strict mode; the registry's schema has no `$ref` (osls resolves
 * only its own `#/definitions/`), and loses `$schema` and `$id`, which belong to a document's root,
 * not to one of its parts.
 */

/** The part of the framework this touches: osls 4 (the Serverless Framework v3 line). */
export interface ConfigSchemaHost {
  configSchemaHandler?: {
    defineCustomProperties(schema: { type: 'object'; properties: Record<string, JsonSchema> }): void;
  };
}

export function defineConfigSchema(serverless: ConfigSchemaHost): void {
  const { $schema: _draft, $id: _id, ...onnxless } = registryJsonSchema();
  serverless.configSchemaHandler?.defineCustomProperties({ type: 'object', properties: { onnxless } });
}
