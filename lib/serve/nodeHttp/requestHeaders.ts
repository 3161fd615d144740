import { BadRequestError, OnnxlessError } from '../../core/errors';
import { clip } from '../../core/protocol/names';

/**
 * Every value of one header, in order, read from the raw headers: Node's `req.headers` keeps only
 * the first of some repeated headers (Content-Type, Authorization) and joins others with `, `.
 */
export function headerValues(rawHeaders: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() === name) values.push(rawHeaders[i + 1] as string);
  }
  return values;
}

/**
 * What the HTTP parser lets through but the server must not guess at:
 * - a repeated Content-Type (400): Node reads the first, a proxy in front may have read the last,
 *   and the two would disagree on how the body is parsed;
 * - an `Expect` other than `100-continue` (417, RFC 9110 10.1.1), answered in the server's JSON
 *   rather than Node's empty default.
 */
export function checkRequestHeaders(rawHeaders: readonly string[]): void {
  const types = headerValues(rawHeaders, 'content-type');
  if (types.length > 1) throw new BadRequestError(`Content-Type is given ${types.length} times; give it once`);
  const expect = headerValues(rawHeaders, 'expect');
  if (expect.some((value) => value.trim().toLowerCase() !== '100-continue')) {
    throw new OnnxlessError(417, `Expect: '${clip(expect.join(', '))}' is not supported; only 100-continue is`);
  }
}
