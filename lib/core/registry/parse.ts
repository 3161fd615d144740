import { describeZodIssue, modelEntryPlace, unknownFields, type ZodIssue } from '../config/zodIssues';
import { RegistryError } from './errors';
import { MODEL_NAME_RULE, RegistrySchema, type Registry } from './schema';

/**
 * Validates `custom.onnxless` (variables already resolved) and returns it typed, defaults applied.
 * Throws a RegistryError listing every problem, each naming the model and the field.
 */
export function parseRegistry(raw: unknown, options: { source?: string } = {}): Registry {
  if (raw === undefined || raw === null) {
    throw new RegistryError(['missing: add custom.onnxless with a bucket and models'], options);
  }
  const result = RegistrySchema.safeParse(withPipelinesApart(raw), { reportInput: true });
  const problems = [...protoNames(raw), ...(result.success ? [] : result.error.issues.map(describeIssue))];
  if (result.success && problems.length === 0) return result.data;
  throw new RegistryError(problems, { ...options, ...(result.success ? {} : { cause: result.error }) });
}

/**
 * Entries of `models` with `kind: pipeline` moved to `pipelines`, and `kind: repository` to
 * `repositories`: the rest of the code reads `models` as single models, and each kind is
 * validated by its own schema with its own messages.
 */
function withPipelinesApart(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('models' in raw)) return raw;
  const { models, ...rest } = raw as { models: unknown };
  if (typeof models !== 'object' || models === null || Array.isArray(models)) return raw;
  const kindOf = ([, entry]: [string, unknown]): unknown =>
    typeof entry === 'object' && entry !== null ? (entry as { kind?: unknown }).kind : undefined;
  // fromEntries keeps every name an own key: a `__proto__:` entry is refused by the name rule, not
  // assigned as the prototype and dropped unseen.
  const entries = Object.entries(models);
  const single = Object.fromEntries(entries.filter((e) => kindOf(e) !== 'pipeline' && kindOf(e) !== 'repository'));
  const pipelines = Object.fromEntries(entries.filter((e) => kindOf(e) === 'pipeline'));
  const repositories = Object.fromEntries(entries.filter((e) => kindOf(e) === 'repository'));
  return {
    ...rest,
    models: single,
    ...(Object.keys(pipelines).length > 0 ? { pipelines } : {}),
    ...(Object.keys(repositories).length > 0 ? { repositories } : {}),
  };
}

/**
 * zod's records skip a `__proto__` key without a word (it guards against prototype pollution), so
 * a model of that name would vanish from the registry unseen: refused here, by the name rule.
 */
function protoNames(raw: unknown): string[] {
  const models = (raw as { models?: unknown }).models;
  if (typeof models !== 'object' || models === null) return [];
  const problems = Object.hasOwn(models, '__proto__') ? [`model '__proto__': ${MODEL_NAME_RULE}`] : [];
  // A pipeline's roles are a record too: a role '__proto__' would vanish the same way.
  for (const [name, entry] of Object.entries(models)) {
    const roles = typeof entry === 'object' && entry !== null ? (entry as { models?: unknown }).models : undefined;
    if (typeof roles === 'object' && roles !== null && Object.hasOwn(roles, '__proto__'))
      problems.push(`model '${name}': models: role '__proto__' is not a role: name each role as the pipeline's handler names it`);
  }
  return problems;
}

/** `model 'foo': weights: expected s3://bucket/key, got 'x'` / `auth: issuer: required`. */
export function describeIssue(issue: ZodIssue): string {
  return describeZodIssue(issue, { place: modelEntryPlace(['models', 'pipelines', 'repositories']), message: describeMessage });
}

function describeMessage(issue: ZodIssue): string {
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input === undefined) return 'required';
  switch (issue.code) {
    case 'unrecognized_keys':
      return unknownFields(issue.keys);
    case 'invalid_type':
      if (issue.expected === 'int') return issue.message;
      return `expected ${issue.expected}, got ${JSON.stringify(issue.input)}`;
    case 'invalid_key':
      return issue.issues.map((inner) => inner.message).join('; ');
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}, got ${JSON.stringify(issue.input)}`;
    default:
      return issue.message;
  }
}
