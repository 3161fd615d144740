import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OnnxlessError } from '../errors';
import type { CompanionFiles } from '../pipeline/CompanionFiles';
import { isSafeRelativePath } from '../sources/ModelManifest';

/**
 * 503: the model's directory lacks a file its pipeline needs (a dictionary, a tokenizer). The
 * model was pushed without it: the message says which file and how to fix it.
 */
export class MissingModelFileError extends OnnxlessError {
  constructor(name: string, dir: string, options: { cause?: unknown } = {}) {
    super(
      503,
      `the model's directory has no '${name}', which its pipeline needs: push the model as a directory holding it ` +
        `(npx onnxless push <dir> --model <name>) (looked in ${dir})`,
      { ...options, expose: true },
    );
  }
}

/**
 * A loaded model's companion files (OCR dictionary, labels, tokenizer.json), by their path in
 * the model's directory: the folder holding `model.onnx`, verified with it. Pipelines read
 * them from here, never from an npm package at run time.
 */
export class ModelFiles implements CompanionFiles {
  private readonly texts = new Map<string, Promise<string>>();

  constructor(
    /** The folder holding model.onnx and its companions. */
    readonly dir: string,
  ) {}

  /** Absolute path of a companion file; `name` is relative to the model directory. */
  path(name: string): string {
    if (!isSafeRelativePath(name)) throw new Error(`'${name}' is not a relative path inside the model directory`);
    return join(this.dir, name);
  }

  /** A companion file's text, read once per process (the files are immutable once verified). */
  readText(name: string): Promise<string> {
    let text = this.texts.get(name);
    if (!text) {
      text = readFile(this.path(name), 'utf8').catch((err: NodeJS.ErrnoException) => {
        this.texts.delete(name);
        if (err.code === 'ENOENT') throw new MissingModelFileError(name, this.dir, { cause: err });
        throw err;
      });
      this.texts.set(name, text);
    }
    return text;
  }
}
