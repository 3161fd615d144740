import { describe, expect, it, vi } from 'vitest';
import { defineConfigSchema } from '../../../lib/tools/deploy/configSchema';

describe('defineConfigSchema', () => {
  it("declares custom.onnxless to the framework as an object, leaving its fields to the registry's own checks", () => {
    const defineCustomProperties = vi.fn();

    defineConfigSchema({ configSchemaHandler: { defineCustomProperties } });

    expect(defineCustomProperties).toHaveBeenCalledTimes(1);
    const [schema] = defineCustomProperties.mock.calls[0] as [{ type: string; properties: { onnxless: Record<string, any> } }];
    expect(schema.type).toBe('object');
    expect(schema.properties.onnxless).toMatchObject({ type: 'object' });
    // No field constraints: osls's ajv would answer (and coerce) before the registry names file, model and field.
    expect(schema.properties.onnxless).not.toHaveProperty('properties');
  });

  it('leaves out the keywords that name a schema document, not a part of the framework one', () => {
    const defineCustomProperties = vi.fn();

    defineConfigSchema({ configSchemaHandler: { defineCustomProperties } });

    const [{ properties }] = defineCustomProperties.mock.calls[0] as [{ properties: { onnxless: object } }];
    expect(properties.onnxless).not.toHaveProperty('$schema');
    expect(properties.onnxless).not.toHaveProperty('$id');
  });

  it('does nothing on a framework without a configuration schema', () => {
    expect(() => defineConfigSchema({})).not.toThrow();
  });
});
