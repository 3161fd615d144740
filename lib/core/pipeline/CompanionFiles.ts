/**
 * What a pipeline needs of a model's companion files (OCR dictionary, labels, tokenizer.json):
 * files beside `model.onnx` in its directory, verified with it. The runtime hands each runner
 * one (lib/core/onnx/ModelFiles.ts); a pipeline reads them from here, never from an npm package
 * at run time.
 */
export interface CompanionFiles {
  /** The folder holding model.onnx and its companions. */
  readonly dir: string;
  /** Absolute path of a companion file; `name` is relative to the model directory. */
  path(name: string): string;
  /**
   * A companion file's text, read once per process. Fails with a 503 naming the file (and how to
   * push it) when the model's directory lacks it.
   */
  readText(name: string): Promise<string>;
}
