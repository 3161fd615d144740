import type { JsonSchema } from '../../core/registry/jsonSchema';

/**
 * Declares `custom.onnxless` to the framework's configuration schema, as a plugin owning a key
 * does, but as an object only. The full JSON Schema (schema.json) is for editors: given to osls,
 * its ajv checks before any plugin hook runs, so its messages ("must be >= 128") replace the
 * registry's own, which name the file, the model and the field, and check what a JSON Schema
 * cannot (weights URIs, pins against sizes); and it runs with `coerceTypes`, rewriting the
 * config it validates (`memorySize: '1024'` becomes a number), which the registry refuses.
 * The registry's zod schema stays the one validator; schema.json is generated from it.
 */

/** The part of the framework this touches: osls 4 (the Serverless Framework v3 line). */
export interface ConfigSchemaHost {
  configSchemaHandler?: {
    defineCustomProperties(schema: { type: 'object'; properties: Record<string, JsonSchema> }): void;
  };
}

export function defineConfigSchema(serverless: ConfigSchemaHost): void {
  serverless.configSchemaHandler?.defineCustomProperties({
    type: 'object',
    properties: {
      onnxless: {
        type: 'object',
        description: 'The onnxless model registry (validated by the onnxless plugin; editors: node_modules/onnxless/schema.json)',
      },
    },
  });
}
