import { Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { BadRequestError } from '../../errors';
import { describeZodError } from '../input/jsonBody';
import { elementSchema } from './tensorFromJson';
import { typedArrayOf, type NumericType } from './tensorTypes';

export interface TableSpec {
  /** Column names in the order the model's feature axis expects them. */
  columns: readonly string[];
  type: NumericType;
  /** Most rows in one request (default 10000). */
  maxRows?: number;
}

/** The zod schema of a table's rows: every column required, of the declared type; unknown columns refused. */
export function tableSchema(spec: TableSpec) {
  const element = elementSchema(spec.type);
  const row = z.strictObject(Object.fromEntries(spec.columns.map((column) => [column, element])));
  return z.array(row).min(1).max(spec.maxRows ?? 10_000);
}

/**
 * JSON records (`[{"age": 41, "income": 52000}, ...]`) -> a [rows, columns] tensor in column
 * order. A missing, extra or mistyped column is a 400 naming it (`records[3].income`).
 */
export function recordsToTensor(records: unknown, spec: TableSpec, field = 'records'): Tensor {
  if (spec.columns.length === 0) throw new RangeError('a table needs at least one column');
  const parsed = tableSchema(spec).safeParse(records);
  if (!parsed.success) {
    throw new BadRequestError(describeZodError(parsed.error, 'field', field), { cause: parsed.error });
  }
  const values = parsed.data.flatMap((row) => spec.columns.map((column) => (row as Record<string, number | boolean>)[column]!));
  return new Tensor(spec.type, typedArrayOf(spec.type, values), [parsed.data.length, spec.columns.length]);
}
