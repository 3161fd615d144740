import { describe, expect, it } from 'vitest';
import { RangeNotHonouredError, TruncatedBodyError } from '../../../lib/core/cache/errors';
import { ConfigError } from '../../../lib/core/config/env';
import { BadRequestError, IntegrityError, ModelUnavailableError, NamedError, NotFoundError } from '../../../lib/core/errors';
import { RegistryError } from '../../../lib/core/registry/errors';

// `errorType` in every log record and metric is an error's name: each class's own, from the one
// base, with the message and cause it was given.
describe("onnxless's errors", () => {
  it('are named after their class, whatever their base', () => {
    const cause = new Error('socket hang up');
    const errors = [
      new ConfigError('bad variable'),
      new TruncatedBodyError('short body', { cause }),
      new RangeNotHonouredError('200 to a ranged GET'),
      new IntegrityError('sha256 differs'),
      new BadRequestError('not a tensor'),
      new NotFoundError('no such model'),
      new ModelUnavailableError('m', 'not loaded'),
      new RegistryError(['models.m: bad']),
    ];
    expect(errors.map((e) => e.name)).toEqual([
      'ConfigError',
      'TruncatedBodyError',
      'RangeNotHonouredError',
      'IntegrityError',
      'BadRequestError',
      'NotFoundError',
      'ModelUnavailableError',
      'RegistryError',
    ]);
    expect(errors.every((e) => e instanceof NamedError && e instanceof Error)).toBe(true);
    expect(errors[1]!.cause).toBe(cause);
    expect(String(errors[0])).toBe('ConfigError: bad variable');
  });
});
