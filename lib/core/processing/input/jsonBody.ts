import { safeParse, type core } from 'zod/mini';
import { describeZodError } from '../../config/zodIssues';
import { BadRequestError } from '../../errors';

export { describeZodError, formatIssuePath } from '../../config/zodIssues';

/** Validates an already-parsed value, throwing 400 naming the first offending field. */
export function validate<S extends core.$ZodType>(schema: S, value: unknown, what = 'field'): core.output<S> {
  const result = safeParse(schema, value);
  if (!result.success) {
    throw new BadRequestError(describeZodError(result.error, what), { cause: result.error });
  }
  return result.data;
}

/** Parses a JSON request body and validates it: 400 on malformed JSON or a wrong field. */
export function parseJsonBody<S extends core.$ZodType>(body: Buffer, schema: S): core.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BadRequestError(`body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return validate(schema, value);
}

/** Validates query string parameters; errors name the parameter. */
export function parseQuery<S extends core.$ZodType>(query: Readonly<Record<string, string | undefined>>, schema: S): core.output<S> {
  return validate(schema, query, 'query parameter');
}
