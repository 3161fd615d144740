import { BadRequestError } from '../errors';

/**
 * Longest request `id`, tensor name or parameter name accepted, in characters. Each is echoed in
 * answers and error messages; Triton sets no bound, KServe none either: 256 is far above any
 * name a model has (ONNX graphs name tensors in tens of characters) and keeps every echo small.
 */
export const MAX_NAME_LENGTH = 256;

/** A caller's text quoted in a message, cut to a length that keeps the message readable. */
export function clip(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

export function checkNameLength(what: string, value: string): void {
  if (value.length > MAX_NAME_LENGTH) {
    throw new BadRequestError(`${what} '${clip(value)}' is over the limit of ${MAX_NAME_LENGTH} characters`);
  }
}
