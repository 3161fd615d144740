import type { SpanParent } from '../observability/tracing';

export interface FetchOptions {
  /**
   * Stop the download: it fails with DownloadAbortedError and keeps the bytes it has, so the
   * next fetch of the same URI resumes from them. A kept partial is never used as a model.
   */
  signal?: AbortSignal;
  /**
   * A pinned model found in the cache is hashed before it is used. With this set, fetch does not
   * wait for that hash: it returns at once with `verified`, so the caller can create the session
   * while the hash runs, and use the session only once `verified` resolves.
   */
  deferVerification?: boolean;
  /**
   * The running onnxruntime version: a model directory whose manifest holds an ORT-format model
   * or a graph pre-optimised by that version is fetched with it (the ORT one first) in place of
   * the original graph (which is then not downloaded). Any other version, or none given, gets
   * the original (graphForm.ts).
   */
  optimizedFor?: string;
  /**
   * Called once, when the body of the model's graph (not of a manifest or companion file)
   * begins to arrive: the loader requires onnxruntime then, while the rest is in flight.
   */
  onModelBody?: () => void;
  /** The trace span the downloads hang off (a traced load's; lib/core/observability/tracing.ts). */
  span?: SpanParent;
}
