import { expect } from 'vitest';
import { RegistryError, parseRegistry } from '../../lib/core/registry/index';

/** The problems parseRegistry lists for `raw`, which it must refuse. */
export function registryProblems(raw: unknown): readonly string[] {
  try {
    parseRegistry(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    return (err as RegistryError).problems;
  }
  throw new Error('expected the registry to be refused');
}
