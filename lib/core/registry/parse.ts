import { describeZodIssue, modelEntryPlace, unknownFields, type ZodIssue } from '../config/zodIssues';
import { RegistryError } from './errors';
import { RegistrySchema, type Registry } from './schema';

/**
 * Validates `custom.onnxless` (variables already resolved) and returns it typed, defaults applied.
 * Throws a RegistryError listing every problem, each naming the model and the field.
 */
export function parseRegistry(raw: unknown, options: { source?: string } = {}): Registry {
  if (raw === undefined || raw === null) {
    throw new RegistryError(['missing: add custom.onnxless with a bucket and models'], options);
  }
  const result = RegistrySchema.safeParse(withPipelinesApart(raw), { reportInput: true });
  if (result.success) return result.data;
  throw new RegistryError(result.error.issues.map(describeIssue), { ...options, cause: result.error });
}

/**
 * Entries of `models` with `kind: pipeline` moved to `pipelines`: the rest of the code reads
 * `models` as single models, and each kind is validated by its own schema with its own messages.
 */
function withPipelinesApart(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('models' in raw)) return raw;
  const { models, ...rest } = raw as { models: unknown };
  if (typeof models !== 'object' || models === null || Array.isArray(models)) return raw;
  const single: Record<string, unknown> = {};
  const pipelines: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(models)) {
    const isPipeline = typeof entry === 'object' && entry !== null && (entry as { kind?: unknown }).kind === 'pipeline';
    (isPipeline ? pipelines : single)[name] = entry;
  }
  return { ...rest, models: single, ...(Object.keys(pipelines).length > 0 ? { pipelines } : {}) };
}

/** `model 'foo': weights: expected s3://bucket/key, got 'x'` / `auth: issuer: required`. */
export function describeIssue(issue: ZodIssue): string {
  return describeZodIssue(issue, { place: modelEntryPlace(['models', 'pipelines']), message: describeMessage });
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
