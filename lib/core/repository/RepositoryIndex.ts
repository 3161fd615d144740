// zod/mini with named imports: the repository function parses its index with it on every cold
// start, and zod's full build is ~470 KB of that function's bundle.
import {
  int,
  literal,
  maximum,
  minimum,
  overwrite,
  prettifyError,
  record,
  refine,
  regex,
  strictObject,
  string,
  type output,
} from 'zod/mini';
import { NamedError } from '../errors';
import { MODEL_NAME_PATTERN, MODEL_NAME_RULE } from '../registry/modelName';

/**
 * `index.json` at a repository's prefix: each model's directory (relative to the prefix,
 * `<model>/<version>/`) and the sha256 of that directory's manifest, its pin. The function that
 * serves the repository trusts only what the index pins, as a single-model function trusts its
 * registry entry; `onnxless push --repository` is the one writer (a conditional write on the
 * index's ETag, lib/tools/store/pushToRepository.ts).
 */
export const REPOSITORY_INDEX_FORMAT = 'onnxless.repository/1';

const DIRECTORY = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*\/$/;

export const IndexedModelSchema = strictObject({
  directory: string().check(
    regex(DIRECTORY, "expected a model directory relative to the prefix, ending in '/', e.g. m/1/"),
    refine((d: string) => !d.split('/').some((s) => s === '.' || s === '..'), 'no . or .. segments'),
  ),
  /** The pin, as the registry's: 64 hex characters in either case, lower-cased. */
  sha256: string().check(
    regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hexadecimal characters'),
    overwrite((s: string) => s.toLowerCase()),
  ),
  /** Bytes of the directory's files: what the model takes in /tmp and, about, in memory. */
  size: int({ error: 'expected a whole number (bytes)' }).check(
    minimum(0, 'must be at least 0 bytes'),
    maximum(Number.MAX_SAFE_INTEGER, `must be at most ${Number.MAX_SAFE_INTEGER} bytes`),
  ),
});

export const RepositoryIndexSchema = strictObject({
  format: literal(REPOSITORY_INDEX_FORMAT),
  models: record(string().check(regex(MODEL_NAME_PATTERN, MODEL_NAME_RULE)), IndexedModelSchema),
});

export type IndexedModel = output<typeof IndexedModelSchema>;
export type RepositoryIndex = output<typeof RepositoryIndexSchema>;

export const EMPTY_INDEX: RepositoryIndex = Object.freeze({ format: REPOSITORY_INDEX_FORMAT, models: Object.freeze({}) });

export class InvalidIndexError extends NamedError {}

/** The index as stored: parsed and checked, or an error naming where and what. */
export function parseRepositoryIndex(text: string, where: string): RepositoryIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidIndexError(`${where} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const result = RepositoryIndexSchema.safeParse(raw);
  if (!result.success) throw new InvalidIndexError(`${where} is not a repository index: ${prettifyError(result.error)}`);
  return result.data;
}

/** Stable text: models in name order, so two writers of the same content write the same bytes. */
export function serializeRepositoryIndex(index: RepositoryIndex): string {
  const models = Object.fromEntries(Object.entries(index.models).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ format: REPOSITORY_INDEX_FORMAT, models }, null, 2)}\n`;
}

/** The index with `name` set to `model` (added or replaced). */
export function withModel(index: RepositoryIndex, name: string, model: IndexedModel): RepositoryIndex {
  return { format: REPOSITORY_INDEX_FORMAT, models: { ...index.models, [name]: model } };
}

/** The index without `name`. */
export function withoutModel(index: RepositoryIndex, name: string): RepositoryIndex {
  const models = Object.fromEntries(Object.entries(index.models).filter(([n]) => n !== name));
  return { format: REPOSITORY_INDEX_FORMAT, models };
}
