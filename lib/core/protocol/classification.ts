import type { Tensor } from 'onnxruntime-node';
// onnxruntime on first use, not at module load: a handler's start does not pay its native load.
import { onnxruntime } from '../onnx/onnxruntime';
import { BadRequestError } from '../errors';
import { fromHalfBits } from './float16';

/**
 * Class labels of a model's output, index by index: Triton's `label_filename`, one label a line.
 * Returns undefined where the output has no labels file. The model-directory loader supplies
 * them from the model's companion labels file; until it does, callers pass none.
 */
export type ClassLabels = (output: string) => readonly string[] | undefined;

/** `parameters.class_count` (or `parameter`) of a requested output: a positive whole number, or 400 naming it. */
export function readClassCount(output: string, value: unknown, parameter = 'class_count'): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new BadRequestError(`output '${output}': parameter ${parameter} must be a whole number of at least 1`);
  }
  return value;
}

/**
 * A requested output's parameters with Triton's name for the classification count read as
 * onnxless's: `classification` is what Triton's protocol and tritonclient's
 * `InferRequestedOutput(name, class_count=k)` send, `class_count` what onnxless has documented.
 * Both, with different values, is a 400; the rest of the request path reads `class_count` only.
 */
export function withClassCount(output: string, parameters: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(parameters, 'classification')) return parameters;
  const count = readClassCount(output, parameters.classification, 'classification');
  const own = Object.hasOwn(parameters, 'class_count') ? parameters.class_count : undefined;
  if (own !== undefined && own !== count) {
    throw new BadRequestError(
      `output '${output}': parameters classification (${count}) and class_count (${JSON.stringify(own)}) disagree; give one`,
    );
  }
  return { ...parameters, class_count: count };
}

/**
 * Triton's classification extension: the output becomes BYTES, the `count` highest scores of each
 * batch row as `"score:index"` or `"score:index:label"`, highest first. A tensor of rank 2 or more
 * is a batch along its first dimension (shape [batch, k]); rank 0 or 1 is one row (shape [k]).
 * The score is written as C's `%f` (six decimals), as Triton's `std::to_string` writes it.
 */
export function classify(output: string, tensor: Tensor, count: number, labels?: readonly string[]): Tensor {
  const scores = scoresOf(output, tensor);
  const batched = tensor.dims.length >= 2;
  const rows = batched ? (tensor.dims[0] ?? 0) : 1;
  const classes = rows === 0 ? 0 : scores.length / rows;
  const k = Math.min(count, classes);
  const out: string[] = [];
  for (let row = 0; row < rows; row++) {
    const offset = row * classes;
    const order = Array.from({ length: classes }, (_, i) => i);
    // Highest score first; equal scores keep index order, so the answer is deterministic.
    order.sort((a, b) => (scores[offset + b] as number) - (scores[offset + a] as number) || a - b);
    for (const index of order.slice(0, k)) {
      const label = labels?.[index];
      const entry = `${(scores[offset + index] as number).toFixed(6)}:${index}`;
      out.push(label ? `${entry}:${label}` : entry);
    }
  }
  return new (onnxruntime().Tensor)('string', out, batched ? [rows, k] : [k]);
}

function scoresOf(output: string, tensor: Tensor): ArrayLike<number> {
  switch (tensor.type) {
    case 'string':
    case 'bool':
      throw new BadRequestError(
        `output '${output}': class_count needs a numeric output, this one is ${tensor.type === 'string' ? 'BYTES' : 'BOOL'}`,
      );
    case 'float16':
      return Array.from(tensor.data as Uint16Array, fromHalfBits);
    case 'int64':
    case 'uint64':
      return Array.from(tensor.data as BigInt64Array, Number);
    default:
      return tensor.data as ArrayLike<number>;
  }
}
