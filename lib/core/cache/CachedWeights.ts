import { join } from 'node:path';
import { manifestBytes, type GraphForm, type ModelManifest } from '../sources/ModelManifest';
import type { DownloadDiagnostics } from './download';

export interface CachedWeights {
  /** The file onnxruntime loads (`model.onnx` of a model directory, or its pre-optimised graph). */
  path: string;
  /**
   * `optimized`: `path` is the graph onnxruntime optimised at push time; `ort`: the model in ORT
   * format written at push time (FetchOptions.optimizedFor).
   */
  graph?: GraphForm;
  /** The manifest's ORT-format model was passed over (another onnxruntime wrote it): why, for one log line. */
  fallback?: string;
  /** The folder holding it and its companion files, side by side. */
  dir: string;
  /** Companion and external-data files by their path in the model directory (empty for a single file). */
  files: readonly string[];
  /** Bytes of every file of the model. */
  size: number;
  /** sha256 of the file, or of the manifest for a model directory: what a pin is compared with. */
  sha256: string;
  /**
   * Present when the caller asked to defer verification (FetchOptions.deferVerification): the
   * pinned copy in the cache is being hashed, on a worker thread. It rejects with an
   * IntegrityError when the bytes do not match, after removing them from the cache, and the
   * caller must then discard whatever it made from them and fetch again.
   */
  verified?: Promise<void>;
  /** How the weights were obtained, for logs and tests. */
  origin: 'download' | 'cache' | 'local-file';
  /** GET requests made for the body (0 when the cache answered). */
  attempts: number;
  /** Byte ranges fetched (1 for a single-GET download). */
  parts: number;
  /** Bytes that a previous, aborted or failed load had already kept on disk. */
  resumedBytes: number;
  /** Bytes fetched and then thrown away because the object changed mid-download. */
  refetchedBytes: number;
  /** Present when the weights were downloaded. */
  diagnostics?: DownloadDiagnostics;
}

export type Figures = Pick<CachedWeights, 'origin' | 'attempts' | 'parts' | 'resumedBytes' | 'refetchedBytes'>;

export function emptyFigures(origin: CachedWeights['origin']): Figures {
  return { origin, attempts: 0, parts: 0, resumedBytes: 0, refetchedBytes: 0 };
}

/** A directory counts as downloaded when any of its files was. */
export function addFigures(sum: Figures, file: CachedWeights): void {
  if (file.origin === 'download') sum.origin = 'download';
  sum.attempts += file.attempts;
  sum.parts += file.parts;
  sum.resumedBytes += file.resumedBytes;
  sum.refetchedBytes += file.refetchedBytes;
}

/** `manifest` is the view fetched (graphView): its `model` is the graph onnxruntime loads. */
export function directoryWeights(
  dir: string,
  manifest: ModelManifest,
  sha256: string,
  figures: Figures,
  form: GraphForm,
  fallback?: string,
): CachedWeights {
  return {
    ...figures,
    graph: form,
    ...(fallback ? { fallback } : {}),
    path: join(dir, manifest.model),
    dir,
    files: manifest.files.map((f) => f.path).filter((p) => p !== manifest.model),
    size: manifestBytes(manifest),
    sha256,
  };
}
