import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { IntegrityError } from '../errors';
import type { FileModelSource } from '../sources/FileModelSource';
import { MANIFEST_NAME, MODEL_FILE_NAME, parseManifest } from '../sources/ModelManifest';
import type { ModelDirectorySource } from '../sources/ModelSource';
import { directoryWeights, emptyFigures, type CachedWeights } from './CachedWeights';
import type { FetchOptions } from './FetchOptions';
import { hashFiles } from './hashFiles';
import { verifyDirectory } from './verifyDirectory';

/** A local `.onnx` file, used in place. */
export async function useLocalFile(source: FileModelSource, expected: string | undefined, options: FetchOptions): Promise<CachedWeights> {
  const { size } = await source.stat();
  const weights: CachedWeights = {
    ...emptyFigures('local-file'),
    path: source.path,
    dir: dirname(source.path),
    files: [],
    size,
    sha256: expected ?? '',
    graph: 'original',
  };
  if (!expected) return weights;
  // A local file is used in place (no copy); a pin is still checked, by hashing it.
  const verified = hashFiles([source.path], size).then(([sha256]) => {
    if (sha256 !== expected) throw new IntegrityError(`${source.path}: sha256 is ${sha256}, expected ${expected}`);
  });
  if (options.deferVerification) return { ...weights, verified };
  await verified;
  return weights;
}

/** A local folder, used in place. With a pin it needs its manifest, and every file is hashed. */
export async function useLocalDirectory(
  source: ModelDirectorySource,
  dir: string,
  expected: string | undefined,
  options: FetchOptions,
): Promise<CachedWeights> {
  const manifestText = await readFile(join(dir, MANIFEST_NAME), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && !expected) return undefined;
    throw new IntegrityError(`${source.description}: cannot read ${MANIFEST_NAME}, which a pinned model directory needs (${err.message})`);
  });
  if (manifestText === undefined) {
    // A bare folder (a dev machine, SageMaker's model data): model.onnx and whatever is beside it.
    const path = join(dir, MODEL_FILE_NAME);
    const { size } = await stat(path).catch((err: unknown) => {
      throw new IntegrityError(`${source.description} has no ${MANIFEST_NAME} and no ${MODEL_FILE_NAME} (${(err as Error).message})`);
    });
    return { ...emptyFigures('local-file'), path, dir, files: [], size, sha256: '', graph: 'original' };
  }
  const manifest = parseManifest(manifestText, join(dir, MANIFEST_NAME));
  const weights = directoryWeights(dir, manifest, expected ?? '', emptyFigures('local-file'), 'original');
  if (!expected) return weights;
  const verified = verifyDirectory(source, dir, manifest, expected, async () => undefined);
  if (options.deferVerification) return { ...weights, verified };
  await verified;
  return weights;
}
