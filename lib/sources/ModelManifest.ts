import { createHash } from 'node:crypto';

/**
 * A model is a directory of files under one prefix (`s3://bucket/<model>/<version>/`):
 * `model.onnx`, its external-data weights and companion files (dictionary, labels,
 * `tokenizer.json`, config), and this manifest listing every other file with its size and
 * sha256. One pin (the manifest's own sha256) therefore covers every byte of the model.
 *
 * Validated by hand, not with zod: the manifest is read on every cold load, and the handler
 * bundles stay small without a schema library on that path.
 */
export const MANIFEST_NAME = 'manifest.json';
export const MODEL_FILE_NAME = 'model.onnx';
export const MANIFEST_FORMAT = 'onnxless.model/1';

export interface ManifestFile {
  /** Relative to the model directory, `/`-separated; never `..`, never absolute. */
  path: string;
  size: number;
  sha256: string;
}

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  /** The file onnxruntime loads; its external data sits beside it. */
  model: string;
  files: ManifestFile[];
}

export class InvalidManifestError extends Error {
  constructor(where: string, why: string) {
    super(`${where}: invalid model manifest: ${why}`);
    this.name = 'InvalidManifestError';
  }
}

/**
 * A path a manifest may name: relative, no `.`/`..` segments, no backslashes or NULs. Checked
 * because the cache joins it under its own directory: `../` would write outside it.
 */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || /[\\\0]/.test(path) || Buffer.byteLength(path) > 512) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

export function parseManifest(text: string, where: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidManifestError(where, `not JSON (${(err as Error).message})`);
  }
  const fail = (why: string): never => {
    throw new InvalidManifestError(where, why);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('expected an object');
  const doc = raw as Record<string, unknown>;
  if (doc.format !== MANIFEST_FORMAT) fail(`format: expected '${MANIFEST_FORMAT}', got ${JSON.stringify(doc.format)}`);
  const model = doc.model ?? MODEL_FILE_NAME;
  if (typeof model !== 'string' || !isSafeRelativePath(model)) fail(`model: expected a relative file path, got ${JSON.stringify(model)}`);
  if (!Array.isArray(doc.files) || doc.files.length === 0) fail('files: expected a non-empty list');
  const seen = new Set<string>();
  const files = (doc.files as unknown[]).map((entry, i): ManifestFile => {
    const f = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    const { path, size, sha256 } = f;
    if (typeof path !== 'string' || !isSafeRelativePath(path)) fail(`files[${i}].path: expected a relative file path, got ${JSON.stringify(path)}`);
    if (path === MANIFEST_NAME) fail(`files[${i}].path: the manifest does not list itself`);
    if (seen.has(path as string)) fail(`files[${i}].path: '${String(path)}' is listed twice`);
    seen.add(path as string);
    if (!Number.isSafeInteger(size) || (size as number) < 0) fail(`files[${i}].size: expected a byte count, got ${JSON.stringify(size)}`);
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) fail(`files[${i}].sha256: expected 64 lower-case hex digits`);
    return { path: path as string, size: size as number, sha256: sha256 as string };
  });
  if (!seen.has(model as string)) fail(`model: '${String(model)}' is not among the files`);
  return { format: MANIFEST_FORMAT, model: model as string, files };
}

/** The manifest's bytes: stable key order and file order, so the same files give the same pin. */
export function serializeManifest(manifest: Omit<ModelManifest, 'format'>): string {
  const files = [...manifest.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(({ path, size, sha256 }) => ({ path, size, sha256 }));
  return `${JSON.stringify({ format: MANIFEST_FORMAT, model: manifest.model, files }, null, 2)}\n`;
}

/** The manifest's sha256: what a registry entry pins for a model directory. */
export function manifestSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Bytes of every file the manifest lists: what the model takes on disk (the manifest aside). */
export function manifestBytes(manifest: ModelManifest): number {
  return manifest.files.reduce((sum, f) => sum + f.size, 0);
}
