import { parse as parseLossless } from 'lossless-json';
import { BadRequestError } from '../errors';

/**
 * JSON.parse is fast but rounds integers beyond 2^53. Bodies are parsed with it first; only
 * when a 64-bit integer tensor holds a number that is not a safe integer is the text parsed
 * again with lossless-json, which keeps those literals exact as BigInt.
 */
export function parseJson(text: string, what = 'body'): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

export function parseJsonExact(text: string, what = 'body'): unknown {
  try {
    return parseLossless(text, undefined, (literal: string) => {
      const value = Number(literal);
      if (Number.isSafeInteger(value) || !/^-?\d+$/.test(literal)) return value;
      return BigInt(literal);
    });
  } catch (err) {
    // lossless-json refuses what JSON.parse lets through, duplicate keys with different values
    // among them: the caller's JSON, so a 400, not a 500 (found by test/fuzz).
    throw new BadRequestError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}
