import { NamedError } from '../errors';
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

/** Levels a shipped graph may be optimised at: `all` adds hardware-specific layouts (NCHWc), never shipped. */
export const PORTABLE_LEVELS = ['basic', 'extended'] as const;
export type PortableLevel = (typeof PORTABLE_LEVELS)[number];

/**
 * The model's graph as onnxruntime optimised it at push time (`optimizedModelFilePath`), so a
 * cold start skips most of that work. Only the onnxruntime version that wrote it may use it:
 * another version falls back to `model`. Not among `files`: a loader fetches either this graph
 * or the original, never both, and a reader of the format without this field ignores it.
 */
export interface OptimizedGraph extends ManifestFile {
  onnxruntime: string;
  level: PortableLevel;
}

/**
 * The model in onnxruntime's own ORT format (a flatbuffer: no protobuf parse, the optimised graph
 * and its kernel choices recorded), written at push time with `--ort`. Like `optimized`, only the
 * onnxruntime version that wrote it may load it, and it is not among `files`.
 */
export type OrtModel = OptimizedGraph;

export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  /** The file onnxruntime loads; its external data sits beside it. */
  model: string;
  files: ManifestFile[];
  optimized?: OptimizedGraph;
  ort?: OrtModel;
}

/** Which of a manifest's graphs a loader fetches and loads: the pushed one, the pre-optimised one or the ORT-format one. */
export type GraphForm = 'original' | 'optimized' | 'ort';

export class InvalidManifestError extends NamedError {
  constructor(where: string, why: string) {
    super(`${where}: invalid model manifest: ${why}`);
  }
}

/**
 * A path a manifest may name: relative, no `.`/`..` segments, no backslashes or NULs. Checked
 * because the cache joins it under its own directory: `../../` would write outside it.
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
    if (typeof path !== 'string' || !isSafeRelativePath(path))
      fail(`files[${i}].path: expected a relative file path, got ${JSON.stringify(path)}`);
    if (path === MANIFEST_NAME) fail(`files[${i}].path: the manifest does not list itself`);
    if (seen.has(path as string)) fail(`files[${i}].path: '${String(path)}' is listed twice`);
    seen.add(path as string);
    if (!Number.isSafeInteger(size) || (size as number) < 0) fail(`files[${i}].size: expected a byte count, got ${JSON.stringify(size)}`);
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) fail(`files[${i}].sha256: expected 64 lower-case hex digits`);
    return { path: path as string, size: size as number, sha256: sha256 as string };
  });
  if (!seen.has(model as string)) fail(`model: '${String(model)}' is not among the files`);
  const manifest: ModelManifest = { format: MANIFEST_FORMAT, model: model as string, files };
  if (doc.optimized !== undefined) manifest.optimized = parseGraph('optimized', doc.optimized, seen, fail);
  if (doc.ort !== undefined) {
    if (manifest.optimized) seen.add(manifest.optimized.path);
    manifest.ort = parseGraph('ort', doc.ort, seen, fail);
  }
  return manifest;
}

function parseGraph(field: 'optimized' | 'ort', raw: unknown, listed: ReadonlySet<string>, fail: (why: string) => never): OptimizedGraph {
  const o = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : fail(`${field}: expected an object`)) as Record<
    string,
    unknown
  >;
  const { path, size, sha256, onnxruntime, level } = o;
  if (typeof path !== 'string' || !isSafeRelativePath(path))
    fail(`${field}.path: expected a relative file path, got ${JSON.stringify(path)}`);
  if (path === MANIFEST_NAME || listed.has(path as string))
    fail(`${field}.path: '${String(path)}' is the manifest or one of the other files`);
  if (!Number.isSafeInteger(size) || (size as number) < 0) fail(`${field}.size: expected a byte count, got ${JSON.stringify(size)}`);
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) fail(`${field}.sha256: expected 64 lower-case hex digits`);
  if (typeof onnxruntime !== 'string' || !/^\d+\.\d+\.\d+\S*$/.test(onnxruntime))
    fail(`${field}.onnxruntime: expected a version, got ${JSON.stringify(onnxruntime)}`);
  if (!PORTABLE_LEVELS.includes(level as PortableLevel))
    fail(`${field}.level: expected one of ${PORTABLE_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  return {
    path: path as string,
    size: size as number,
    sha256: sha256 as string,
    onnxruntime: onnxruntime as string,
    level: level as PortableLevel,
  };
}

/**
 * The files a loader fetches: the manifest's own, or the same with the pre-optimised graph
 * (`optimized`) or the ORT-format model (`ort`) in place of the original one, which it then loads.
 */
export function graphView(manifest: ModelManifest, form: GraphForm): ModelManifest {
  const graph = form === 'original' ? undefined : manifest[form];
  if (!graph) return manifest;
  const { path, size, sha256 } = graph;
  return { ...manifest, model: path, files: [...manifest.files.filter((f) => f.path !== manifest.model), { path, size, sha256 }] };
}

/** The manifest's bytes: stable key order and file order, so the same files give the same pin. */
export function serializeManifest(manifest: Omit<ModelManifest, 'format'>): string {
  const files = [...manifest.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(({ path, size, sha256 }) => ({ path, size, sha256 }));
  const graph = (g: OptimizedGraph | undefined) =>
    g && (({ path, size, sha256, onnxruntime, level }) => ({ path, size, sha256, onnxruntime, level }))(g);
  const optimized = graph(manifest.optimized);
  const ort = graph(manifest.ort);
  // Without a pre-optimised graph or an ORT model the bytes are exactly those of the first format: old pins hold.
  return `${JSON.stringify({ format: MANIFEST_FORMAT, model: manifest.model, files, ...(optimized ? { optimized } : {}), ...(ort ? { ort } : {}) }, null, 2)}\n`;
}

/** The manifest's sha256: what a registry entry pins for a model directory. */
export function manifestSha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Bytes of every file the manifest lists: what the model takes on disk (the manifest aside). */
export function manifestBytes(manifest: ModelManifest): number {
  return manifest.files.reduce((sum, f) => sum + f.size, 0);
}
