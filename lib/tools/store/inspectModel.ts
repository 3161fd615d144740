import { NamedError } from '../../core/errors';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { hashFiles } from '../../core/cache/hashFiles';
import {
  MANIFEST_FORMAT,
  MANIFEST_NAME,
  MODEL_FILE_NAME,
  isSafeRelativePath,
  manifestSha256,
  serializeManifest,
  type ManifestFile,
  type ModelManifest,
  type OptimizedGraph,
  type OrtModel,
} from '../../core/sources/ModelManifest';
import { optimizeGraph } from './optimizeGraph';
import { writeOrtModel } from './ortModel';

/** One file of a model to push: its path in the model directory, and where it is read from. */
export interface ModelFileSource {
  path: string;
  from: string;
}

/** A model ready to push: its files measured, its manifest written, onnxruntime satisfied. */
export interface ModelFacts {
  files: Array<ManifestFile & { from: string }>;
  /** The pre-optimised graph uploaded beside the files (optimizeGraph.ts), when onnxruntime could write one. */
  optimized?: OptimizedGraph & { from: string };
  /** Why there is none. */
  optimizeSkipped?: string;
  /** The ORT-format model uploaded beside the files (ortModel.ts), when asked for and onnxruntime could write one. */
  ort?: OrtModel & { from: string };
  /** Asked for, but none: why. */
  ortSkipped?: string;
  manifest: ModelManifest;
  /** The manifest's exact bytes: what is uploaded, and what the pin covers. */
  manifestText: string;
  /** sha256 of manifestText: the registry's pin. */
  sha256: string;
  /** Bytes of every file (the manifest aside): sizes /tmp. */
  size: number;
  inputs: string[];
  outputs: string[];
}

export class InvalidModelFileError extends NamedError {}

/**
 * The files of `path`: a model directory (every file under it but an old manifest and hidden
 * files such as .DS_Store), or one `.onnx` file, pushed as `model.onnx` in a directory of its own.
 */
export async function modelFilesAt(path: string): Promise<{ files: ModelFileSource[]; dir?: string }> {
  const info = await stat(path).catch((err: unknown) => {
    throw new InvalidModelFileError(`no such file or directory: ${path}`, { cause: err });
  });
  if (info.isFile()) return { files: [{ path: MODEL_FILE_NAME, from: path }] };
  if (!info.isDirectory()) throw new InvalidModelFileError(`not a file or directory: ${path}`);
  const files: ModelFileSource[] = [];
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const from = join(entry.parentPath, entry.name);
    const rel = relative(path, from).split(sep).join('/');
    if (rel === MANIFEST_NAME || rel.split('/').some((s) => s.startsWith('.'))) continue;
    if (!isSafeRelativePath(rel)) throw new InvalidModelFileError(`${from}: a file name a model directory cannot hold`);
    files.push({ path: rel, from });
  }
  if (!files.some((f) => f.path === MODEL_FILE_NAME)) {
    throw new InvalidModelFileError(
      `${path} has no ${MODEL_FILE_NAME}: a model directory holds ${MODEL_FILE_NAME} at its top, its external data and companion files beside it`,
    );
  }
  return { files, dir: path };
}

/**
 * Checks that onnxruntime loads the model with its companion files (external data is looked
 * up next to model.onnx), measures every file and writes the manifest. Streaming: no file is
 * ever held in JS memory.
 */
export interface InspectOptions {
  /** Also write the model in ORT format (`push --ort`): listed and pinned in the manifest with the onnxruntime version that wrote it. */
  ort?: boolean;
}

export async function inspectModel(files: readonly ModelFileSource[], where: string, options: InspectOptions = {}): Promise<ModelFacts> {
  const model = files.find((f) => f.path === MODEL_FILE_NAME);
  if (!model) throw new InvalidModelFileError(`${where} has no ${MODEL_FILE_NAME}`);
  const { inputs, outputs } = await loadable(model.from, where);
  const sizes = await Promise.all(files.map(async (f) => (await stat(f.from)).size));
  const size = sizes.reduce((a, b) => a + b, 0);
  const hashes = await hashFiles(
    files.map((f) => f.from),
    size,
  );
  const measured = files.map((f, i) => ({ path: f.path, from: f.from, size: sizes[i] as number, sha256: hashes[i] as string }));
  const modelSha256 = measured.find((f) => f.path === MODEL_FILE_NAME)!.sha256;
  const outcome = await optimizeGraph(model.from, modelSha256, new Set(files.map((f) => f.path)));
  const optimized = 'graph' in outcome ? outcome.graph : undefined;
  const ortOutcome = options.ort ? await writeOrtModel(model.from, modelSha256, new Set(files.map((f) => f.path))) : undefined;
  const ort = ortOutcome && 'model' in ortOutcome ? ortOutcome.model : undefined;
  const manifest: ModelManifest = {
    format: MANIFEST_FORMAT,
    model: MODEL_FILE_NAME,
    files: measured.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
    ...(optimized ? { optimized: withoutFrom(optimized) } : {}),
    ...(ort ? { ort: withoutFrom(ort) } : {}),
  };
  const manifestText = serializeManifest(manifest);
  return {
    files: measured,
    ...(optimized ? { optimized } : { optimizeSkipped: (outcome as { skipped: string }).skipped }),
    ...(ort ? { ort } : ortOutcome ? { ortSkipped: (ortOutcome as { skipped: string }).skipped } : {}),
    manifest,
    manifestText,
    sha256: manifestSha256(manifestText),
    size,
    inputs,
    outputs,
  };
}

function withoutFrom<T extends { from: string }>({ from: _, ...graph }: T): Omit<T, 'from'> {
  return graph;
}

async function loadable(modelPath: string, where: string): Promise<{ inputs: string[]; outputs: string[] }> {
  let session: InferenceSession;
  try {
    // From the path: onnxruntime resolves external-data files relative to model.onnx.
    session = await InferenceSession.create(modelPath, { graphOptimizationLevel: 'disabled' });
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    throw new InvalidModelFileError(
      `${where} is not a valid ONNX model: onnxruntime cannot load ${modelPath} with the files beside it: ${reason}` +
        (/external|data file|\.bin|No such file/i.test(reason ?? '')
          ? ' (push the directory holding model.onnx and its external-data files)'
          : ''),
      { cause: err },
    );
  }
  const facts = { inputs: [...session.inputNames], outputs: [...session.outputNames] };
  await session.release();
  return facts;
}
