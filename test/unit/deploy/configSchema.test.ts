import { describe, expect, it, vi } from 'vitest';
import { defineConfigSchema } from '../../../lib/deploy/configSchema';

describe('defineConfigSchema', () => {
  it('registers custom.onnxless with the framework as an object schema of the registry', () => {
    const defineCustomProperties = vi.fn();

    defineConfigSchema({ configSchemaHandler: { defineCustomProperties } });

    expect(defineCustomProperties).toHaveBeenCalledTimes(1);
    const [schema] = defineCustomProperties.mock.calls[0] as [{ type: string; properties: { onnxless: Record<string, any> } }];
    expect(schema.type).toBe('object');
    expect(schema.properties.onnxless).toMatchObject({
      type: 'object',
      properties: { models: { type: 'object' }, bucket: { required: ['name'] } },
    });
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
