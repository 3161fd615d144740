import { BadRequestError, PayloadTooLargeError } from '../errors';

const MAX_DIMENSION = 2 ** 32 - 1;

/**
 * Validate a declared shape and return its element count, refusing a count over the limit
 * before anything is allocated for it (a claim of a billion elements costs nothing).
 */
export function elementCount(input: string, shape: readonly number[], maxElements: number): number {
  let count = 1;
  for (const [i, dim] of shape.entries()) {
    // Safe integers only: onnxruntime refuses a dim like 2^53 when it builds the tensor (a 500
    // otherwise), and a 0 elsewhere in the shape would hide it from the count check below.
    if (!Number.isSafeInteger(dim)) throw new BadRequestError(`input '${input}': shape[${i}] is ${dim}, expected an integer`);
    if (dim < 0) throw new BadRequestError(`input '${input}': shape[${i}] is ${dim}, dimensions must not be negative`);
    // onnxruntime-node carries each dimension as an unsigned 32-bit number (`Tensor.dims[0] is
    // invalid` past it, found by test/fuzz at 2^32 next to a 0).
    if (dim > MAX_DIMENSION)
      throw new BadRequestError(`input '${input}': shape[${i}] is ${dim}, dimensions must be at most ${MAX_DIMENSION}`);
    count *= dim;
  }
  if (count > maxElements) {
    throw new PayloadTooLargeError(`input '${input}': shape [${shape.join(', ')}] has ${count} elements, over the limit of ${maxElements}`);
  }
  return count;
}
