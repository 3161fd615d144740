import { NamedError } from '../errors';
import type { Readable } from 'node:stream';

/** What the store says about the object now: enough to tell whether a cached copy is current. */
export interface SourceStat {
  size: number;
  /** Opaque version token (S3 ETag, or size+mtime for files). */
  version: string;
}

export interface SourceBody {
  stream: Readable;
  /** Bytes the store promises for this body (Content-Length). */
  length: number;
  /** Total object size (differs from length for ranged reads). */
  size: number;
  version: string;
}

/** Where a model's weights live: an S3 object or a local file. */
export interface ModelSource {
  readonly uri: string;
  /** A short, safe description for error messages: never credentials. */
  readonly description: string;
  stat(): Promise<SourceStat>;
  /** Stream the object, or the inclusive byte range [start, end] of it; `signal` cancels the request. */
  open(range?: { start: number; end: number }, options?: { signal?: AbortSignal }): Promise<SourceBody>;
}

/**
 * A model that is a directory of files under one prefix or folder (ModelManifest.ts): each
 * file is a ModelSource of its own, addressed by its path relative to the directory.
 */
export interface ModelDirectorySource {
  readonly kind: 'directory';
  /** Ends in `/`. */
  readonly uri: string;
  readonly description: string;
  file(path: string): ModelSource;
  /** A local folder used in place (no copy into the cache); undefined for a remote store. */
  readonly localPath?: string;
}

/** What a registry entry's `weights` names: one `.onnx` object, or a model directory. */
export type ModelLocation = ModelSource | ModelDirectorySource;

export function isModelDirectory(location: ModelLocation): location is ModelDirectorySource {
  return (location as ModelDirectorySource).kind === 'directory';
}

/** The object does not exist or may not be read: a 503 for the model, not retried. */
export class SourceNotFoundError extends NamedError {}

export class SourceAccessDeniedError extends NamedError {}
