import { z } from 'zod';
import { BadRequestError } from '../../errors';

/** `records[2].age` from a zod issue path under `root` (default: the document itself, shown as `(root)`). */
export function formatIssuePath(path: readonly PropertyKey[], root = ''): string {
  const joined = path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 && root === '' ? String(key) : `.${String(key)}`))
    .join('');
  return root + joined || '(root)';
}

/** The first zod issue as a sentence naming the field: "field 'image': Invalid input: expected string". */
export function describeZodError(error: z.ZodError, what = 'field', root = ''): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid input';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${what} '${formatIssuePath(issue.path, root)}': ${issue.message}${more}`;
}

/** Validates an already-parsed value, throwing 400 naming the first offending field. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, what = 'field'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new BadRequestError(describeZodError(result.error, what), { cause: result.error });
  }
  return result.data;
}

/** Parses a JSON request body and validates it: 400 on malformed JSON or a wrong field. */
export function parseJsonBody<S extends z.ZodType>(body: Buffer, schema: S): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new BadRequestError(`body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  return validate(schema, value);
}

/** Validates query string parameters; errors name the parameter. */
export function parseQuery<S extends z.ZodType>(query: Readonly<Record<string, string | undefined>>, schema: S): z.output<S> {
  return validate(schema, query, 'query parameter');
}
