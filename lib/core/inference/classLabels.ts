import type { ClassLabels } from '../protocol/classification';
import type { CompanionFiles } from '../pipeline/CompanionFiles';
import { MissingModelFileError } from '../onnx/ModelFiles';

/**
 * The labels file of a model directory, as Triton's `label_filename`: one label per line, line
 * i naming class i. One file serves every output of the model; a model without one answers
 * `class_count` with `"score:index"` alone.
 */
export const LABELS_FILE = 'labels.txt';

const parsed = new WeakMap<CompanionFiles, Promise<ClassLabels | undefined>>();

export function labelsOfDirectory(files: CompanionFiles | undefined): Promise<ClassLabels | undefined> {
  if (!files) return Promise.resolve(undefined);
  let labels = parsed.get(files);
  if (!labels) {
    labels = files.readText(LABELS_FILE).then(
      (text) => {
        const lines = text.split(/\r?\n/);
        if (lines.at(-1) === '') lines.pop();
        return () => lines;
      },
      (err: unknown) => {
        if (err instanceof MissingModelFileError) return undefined;
        // Another failure (a read error) is not remembered: the next request reads again.
        parsed.delete(files);
        throw err;
      },
    );
    parsed.set(files, labels);
  }
  return labels;
}
