import { BadRequestError } from '../errors';

/**
 * OIP allows `data` flat (row-major) or nested as the shape. Returns the flat array, checking
 * that a nested one has exactly the declared shape. The flat case is returned as is: no copy.
 */
export function flattenData(input: string, data: unknown, shape: readonly number[], count: number): unknown[] {
  if (!Array.isArray(data)) throw new BadRequestError(`input '${input}': data must be an array`);
  if (data.length === count && (count === 0 || !Array.isArray(data[0]))) return data;
  if (data.length > 0 && Array.isArray(data[0])) {
    const flat: unknown[] = [];
    collect(input, data, shape, 0, flat, count);
    return flat;
  }
  throw new BadRequestError(`input '${input}': data has ${data.length} elements, shape [${shape.join(', ')}] needs ${count}`);
}

function collect(input: string, data: unknown, shape: readonly number[], depth: number, out: unknown[], count: number): void {
  if (depth === shape.length) {
    if (Array.isArray(data)) throw new BadRequestError(`input '${input}': data is nested deeper than shape [${shape.join(', ')}]`);
    if (out.length >= count) throw new BadRequestError(`input '${input}': data has more elements than shape [${shape.join(', ')}]`);
    out.push(data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new BadRequestError(`input '${input}': nested data does not match shape [${shape.join(', ')}] at depth ${depth}`);
  }
  for (const item of data) collect(input, item, shape, depth + 1, out, count);
}
