import { readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { IntegrityError } from '../errors';
import { MANIFEST_NAME, graphView, parseManifest, type GraphForm, type ModelManifest } from '../sources/ModelManifest';
import type { ModelDirectorySource } from '../sources/ModelSource';
import { addFigures, directoryWeights, emptyFigures, type CachedWeights } from './CachedWeights';
import { DIRECTORY_MARKER, markVerified } from './cacheMarkers';
import { evictFile, fetchFile } from './cachedFile';
import type { DownloadSettings } from './download';
import type { FetchOptions } from './FetchOptions';
import { chooseForm } from './graphForm';
import { assembleDirectory, directoryPaths, validDirectory } from './modelDirectory';
import { verifiedMarkerHolds } from './verifiedMarker';
import { verifyDirectory } from './verifyDirectory';

/**
 * A model directory from a remote store, cached under `root` (the URI's folder): its manifest,
 * then each file it lists, then the whole laid out side by side.
 */
export async function fetchDirectory(
  source: ModelDirectorySource,
  root: string,
  expected: string | undefined,
  settings: DownloadSettings,
  options: FetchOptions,
): Promise<CachedWeights> {
  if (expected) {
    // Any form of the model already here saves the download, the one this loader would choose
    // (cachedDirectory checks) first: the ORT-format one, then the pre-optimised one.
    const forms: GraphForm[] = options.optimizedFor ? ['ort', 'optimized', 'original'] : ['original'];
    for (const form of forms) {
      const found = await cachedDirectory(source, join(root, directoryName(expected, form)), expected, form, options);
      if (found) return found;
    }
  }
  // Staged by content (`files/<sha256>`): no file name can collide with another's `.json` record.
  const staging = (name: string): string => join(root, 'files', name);
  const manifestFile = await fetchFile(source.file(MANIFEST_NAME), staging(MANIFEST_NAME), expected, settings, {
    signal: options.signal,
    span: options.span,
  });
  const full = parseManifest(await readFile(manifestFile.path, 'utf8'), source.file(MANIFEST_NAME).description);
  const { form, fallback } = chooseForm(full, options.optimizedFor);
  const manifest = graphView(full, form);
  const final = join(root, directoryName(manifestFile.sha256, form));
  if (!expected && (await validDirectory(final, source.uri, manifestFile.sha256))) {
    return directoryWeights(final, manifest, manifestFile.sha256, emptyFigures('cache'), form, fallback);
  }
  const staged = new Map<string, string>([[MANIFEST_NAME, manifestFile.path]]);
  const figures = emptyFigures('cache');
  // One file at a time: each large file already downloads in parallel ranges.
  for (const file of manifest.files) {
    const onBody = file.path === manifest.model ? options.onModelBody : undefined;
    const got = await fetchFile(
      source.file(file.path),
      staging(file.sha256),
      file.sha256,
      settings,
      { signal: options.signal, span: options.span },
      onBody,
    );
    if (got.size !== file.size) {
      await evictFile(got.path);
      throw new IntegrityError(`${source.file(file.path).description} is ${got.size} bytes, the manifest says ${file.size}`);
    }
    staged.set(file.path, got.path);
    addFigures(figures, got);
  }
  await assembleDirectory(final, source.uri, manifestFile.sha256, staged);
  if (expected) await markAssembled(final, staged, expected);
  return directoryWeights(final, manifest, manifestFile.sha256, figures, form, fallback);
}

/**
 * Every file of a freshly assembled pinned directory was hashed as it downloaded: mark it
 * verified, provided each is a link to the staged copy that was hashed (same inode), not
 * another loader's directory kept in its place or a copy.
 */
async function markAssembled(final: string, staged: ReadonlyMap<string, string>, expected: string): Promise<void> {
  const paths: string[] = [];
  for (const [path, from] of staged) {
    const [a, b] = await Promise.all([stat(join(final, path)), stat(from)]).catch(() => [undefined, undefined]);
    if (!a || !b || a.ino !== b.ino || a.dev !== b.dev) return;
    paths.push(join(final, path));
  }
  await markVerified(join(final, DIRECTORY_MARKER), paths, expected);
}

/** A pinned directory already in the cache, once its files hash to what its manifest says. */
async function cachedDirectory(
  source: ModelDirectorySource,
  dir: string,
  expected: string,
  form: GraphForm,
  options: FetchOptions,
): Promise<CachedWeights | undefined> {
  if (!(await validDirectory(dir, source.uri, expected))) return undefined;
  let manifest: ModelManifest;
  let fallback: string | undefined;
  try {
    const full = parseManifest(await readFile(join(dir, MANIFEST_NAME), 'utf8'), source.description);
    const choice = chooseForm(full, options.optimizedFor);
    // Only the form this loader chooses: another one here (a form for another onnxruntime) is not
    // used, though the original is, for a loader whose choice was never cached as such.
    if (form !== choice.form && form !== 'original') return undefined;
    fallback = choice.fallback;
    manifest = graphView(full, form);
  } catch {
    await rm(dir, { recursive: true, force: true });
    return undefined;
  }
  const paths = directoryPaths(manifest).map((p) => join(dir, p));
  if (await verifiedMarkerHolds(join(dir, DIRECTORY_MARKER), paths, expected)) {
    return directoryWeights(dir, manifest, expected, emptyFigures('cache'), form, fallback);
  }
  const hashed = verifyDirectory(source, dir, manifest, expected, async (bad) => {
    await rm(dir, { recursive: true, force: true });
    // The staged copies share the bad inodes: drop them too, so they are downloaded again.
    const shaOf = new Map(manifest.files.map((f) => [f.path, f.sha256]));
    for (const path of bad) await evictFile(join(dirname(dir), 'files', shaOf.get(path) ?? path));
  });
  const verified = hashed.then(() => markVerified(join(dir, DIRECTORY_MARKER), paths, expected));
  const weights = directoryWeights(dir, manifest, expected, emptyFigures('cache'), form, fallback);
  if (options.deferVerification) return { ...weights, verified };
  return (await verified.then(
    () => true,
    () => false,
  ))
    ? weights
    : undefined;
}

/** `<manifest sha256>` holds the model as pushed; `-optimized` (`-ort`) the same with the pre-optimised graph (the ORT-format model) in place of the original. */
function directoryName(sha256: string, form: GraphForm): string {
  return form === 'original' ? sha256 : `${sha256}-${form}`;
}
