import type { core } from 'zod/mini';

/**
 * zod's findings as text. Every message onnxless gives for a value that failed a zod schema (a
 * request body or query, an infer request, the registry, a serve config, a pipeline function's
 * environment) is `<place>: <message>` from describeZodIssue; each caller words the place (and,
 * for a config file, the message) as its users read it. Type-only zod: zod/mini callers stay so.
 */
export type ZodIssue = core.$ZodIssue;

export interface IssueWording {
  /** The place of an issue from its path; '' leaves it out. Default: formatIssuePath. */
  place?: (path: readonly PropertyKey[]) => string;
  /** Default: zod's own message. */
  message?: (issue: ZodIssue) => string;
}

/** One issue as `place: message`. */
export function describeZodIssue(issue: ZodIssue, wording: IssueWording = {}): string {
  const place = (wording.place ?? formatIssuePath)(issue.path);
  const message = wording.message?.(issue) ?? issue.message;
  return place === '' ? message : `${place}: ${message}`;
}

/** The first zod issue as a sentence naming the field: "field 'image': Invalid input: expected string". */
export function describeZodError(error: { readonly issues: readonly ZodIssue[] }, what = 'field', root = ''): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid input';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${describeZodIssue(issue, { place: (path) => `${what} '${formatIssuePath(path, root)}'` })}${more}`;
}

/** `records[2].age` from a zod issue path under `root` (default: the document itself, shown as `(root)`). */
export function formatIssuePath(path: readonly PropertyKey[], root = ''): string {
  const joined = path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 && root === '' ? String(key) : `.${String(key)}`))
    .join('');
  return root + joined || '(root)';
}

/** `inputs.0.shape`: the keys joined by dots, as a config file's fields read; '' at the root. */
export function dottedPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/**
 * The place in a config file of named model entries (the registry, a serve config): a path into
 * one of the `maps` names the entry, `model 'tiny'`, then the rest of the path, its keys joined by
 * `nested`; any other path is dotted.
 */
export function modelEntryPlace(maps: readonly string[], nested: '.' | ': ' = '.'): (path: readonly PropertyKey[]) => string {
  return (path) => {
    const keys = path.map(String);
    if (!maps.includes(keys[0] ?? '') || keys.length < 2) return keys.join('.');
    return [`model '${keys[1]}'`, ...(keys.length > 2 ? [keys.slice(2).join(nested)] : [])].join(': ');
  };
}

/** zod's `unrecognized_keys`, as a config file's author reads it: `unknown fields 'a', 'b'`. */
export function unknownFields(keys: readonly string[]): string {
  return `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}`;
}
