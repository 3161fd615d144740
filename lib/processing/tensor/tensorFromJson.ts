import { Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { BadRequestError } from '../../errors';
import { NUMERIC_TYPES, typedArrayOf, type NumericType } from './tensorTypes';

export interface TensorFieldSpec {
  type: NumericType;
  /** Expected shape; `null` for a free dimension (batch). Omitted: any rectangular shape. */
  shape?: readonly (number | null)[];
}

/** zod schema of one JSON element of `type`: range and integrality checked, booleans for bool. */
export function elementSchema(type: NumericType): z.ZodType<number | boolean> {
  const { integer, min, max } = NUMERIC_TYPES[type];
  const number = integer ? z.number().int() : z.number();
  const ranged = number.min(min).max(max);
  return type === 'bool' ? z.union([z.boolean(), ranged]) : ranged;
}

/**
 * A nested JSON array (or a scalar) -> a typed onnxruntime Tensor. Checks that the array is
 * rectangular, every element is a valid `type`, and the shape matches; errors are 400s naming
 * the field and index (`inputs.pixels[2][7]: expected number, received string`).
 */
export function tensorFromJson(value: unknown, spec: TensorFieldSpec, field: string): Tensor {
  const dims = shapeOf(value, field);
  if (spec.shape !== undefined) {
    const shape = spec.shape;
    const fits = dims.length === shape.length && shape.every((d, i) => d === null || d === dims[i]);
    if (!fits) {
      const want = `[${shape.map((d) => d ?? 'N').join(', ')}]`;
      throw new BadRequestError(`field '${field}': shape [${dims.join(', ')}] does not match ${want}`);
    }
  }
  const flat = dims.length === 0 ? [value] : (value as unknown[]).flat(Math.max(0, dims.length - 1));
  const schema = z.array(elementSchema(spec.type));
  const parsed = schema.safeParse(flat);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flatIndex = Number(issue.path[0] ?? 0);
    throw new BadRequestError(`field '${field}${indexPath(flatIndex, dims)}': ${issue.message} (declared ${spec.type})`);
  }
  return new Tensor(spec.type, typedArrayOf(spec.type, parsed.data), dims);
}

/** Dimensions of a rectangular nested array; 400 naming the first ragged or non-array place. */
function shapeOf(value: unknown, field: string): number[] {
  const dims: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    dims.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  const check = (node: unknown, depth: number, path: string): void => {
    if (depth === dims.length) {
      if (Array.isArray(node)) throw new BadRequestError(`field '${field}${path}': is nested deeper than its neighbours`);
      return;
    }
    if (!Array.isArray(node)) throw new BadRequestError(`field '${field}${path}': expected an array of ${dims[depth]} (ragged array)`);
    if (node.length !== dims[depth]) {
      throw new BadRequestError(`field '${field}${path}': has ${node.length} elements, expected ${dims[depth]} (ragged array)`);
    }
    node.forEach((child, i) => check(child, depth + 1, `${path}[${i}]`));
  };
  check(value, 0, '');
  return dims;
}

function indexPath(flatIndex: number, dims: readonly number[]): string {
  let rest = flatIndex;
  const parts: number[] = [];
  for (let i = dims.length - 1; i >= 0; i--) {
    parts.unshift(rest % dims[i]!);
    rest = Math.floor(rest / dims[i]!);
  }
  return parts.map((p) => `[${p}]`).join('');
}
