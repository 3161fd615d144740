import type { InferRequest } from './inferRequest';

/**
 * Headers up to this length are remembered. Only a header that carries JSON data next to binary
 * inputs is longer, and comparing it would cost as much as parsing it.
 */
export const MAX_REMEMBERED_HEADER = 4096;

let last: { text: string; request: InferRequest } | undefined;

/**
 * A binary request's JSON header, parsed and validated by `parse` (a pure function of the text),
 * or the request the same text gave last time. A client sending binary tensors sends the same
 * header on every call of the same shapes (tritonclient writes it from the inputs' names, shapes
 * and datatypes), and parsing and validating it again was several microseconds of a small
 * model's warm call (docs/benchmarks.md, "Figures behind the code"). The request kept is
 * frozen, so no reader can change what the next call gets; a header that fails is not kept.
 */
export function rememberedRequest(text: string, parse: (text: string) => InferRequest): InferRequest {
  if (last !== undefined && last.text === text) return last.request;
  const request = parse(text);
  if (text.length <= MAX_REMEMBERED_HEADER) last = { text, request: deepFreeze(request) };
  return request;
}

/** Objects and arrays frozen through; a typed array (which cannot be frozen) is left as it is. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
