import { NamedError } from '../../core/errors';
import { IndexConflictError, type IndexObject } from '../../core/repository/IndexObject';
import { EMPTY_INDEX, parseRepositoryIndex, serializeRepositoryIndex, type RepositoryIndex } from '../../core/repository/RepositoryIndex';

export class IndexContentionError extends NamedError {}

export interface UpdateOptions {
  /** Reads and conditional writes before giving up (default 12). */
  attempts?: number;
  /** Base of the jittered backoff between attempts, in ms (default 25, doubling, at most 1 s). */
  backoffMs?: number;
}

/**
 * Read-modify-write of the repository's index, safe against other writers: the write carries the
 * ETag of the read (`If-Match`, or `If-None-Match: *` where there was no index), and a writer that
 * lost the race (412, 409, 404: IndexObject.write) reads the index again, applies its change to
 * what the winner wrote and tries again after a jittered backoff. So two pushes at once both end
 * in the index, whichever writes first. Returns the index as written and the attempts it took.
 */
export async function updateIndex(
  object: IndexObject,
  change: (index: RepositoryIndex) => RepositoryIndex,
  options: UpdateOptions = {},
): Promise<{ index: RepositoryIndex; attempts: number }> {
  const attempts = options.attempts ?? 12;
  const backoffMs = options.backoffMs ?? 25;
  for (let attempt = 1; ; attempt++) {
    const read = await object.read();
    const current = read.state === 'found' ? parseRepositoryIndex(read.text, object.uri) : EMPTY_INDEX;
    const next = change(current);
    try {
      await object.write(serializeRepositoryIndex(next), read.state === 'found' ? read.etag : undefined);
      return { index: next, attempts: attempt };
    } catch (err) {
      if (!(err instanceof IndexConflictError)) throw err;
      if (attempt >= attempts) {
        throw new IndexContentionError(
          `${object.uri} changed under ${attempts} attempts to update it: other pushes keep writing; try again`,
          {
            cause: err,
          },
        );
      }
      const ceiling = Math.min(1_000, backoffMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
    }
  }
}
