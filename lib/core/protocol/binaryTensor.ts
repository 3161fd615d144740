import { BadRequestError } from '../errors';
import { clip } from './names';
import { DATATYPES, viewBytes, type Datatype, type NumericData } from './datatypes';

/**
 * Triton's binary tensor data extension: the body is a JSON header of
 * `Inference-Header-Content-Length` bytes followed by the raw tensors, little-endian,
 * in the order of the inputs that declare `parameters.binary_data_size`.
 * BYTES elements are each a 4-byte little-endian length followed by that many bytes.
 */
export const HEADER_LENGTH = 'inference-header-content-length';

/**
 * A length a caller declares (Inference-Header-Content-Length, SageMaker's json-header-size):
 * plain decimal digits only, as Content-Length (RFC 9110 8.6); undefined for anything else.
 * Number() would also take `0x10`, `1e2` and ` 16 `, and parseInt the leading digits of `70.0`,
 * which no client means.
 */
export function decimalLength(value: string): number | undefined {
  return /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

export function splitBinaryBody(body: Buffer, headerLength: string): { header: string; binary: Buffer } {
  const length = decimalLength(headerLength.trim());
  if (length === undefined || length > body.length) {
    throw new BadRequestError(
      `Inference-Header-Content-Length is '${clip(headerLength)}', expected decimal digits from 0 to the body length ${body.length}`,
    );
  }
  return { header: body.subarray(0, length).toString('utf8'), binary: body.subarray(length) };
}

/** Reads consecutive binary sections, refusing any that would run past the body. */
export class BinaryCursor {
  private offset = 0;
  constructor(private readonly binary: Buffer) {}

  take(input: string, size: number): Buffer {
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new BadRequestError(`input '${input}': binary_data_size must be a non-negative integer`);
    }
    if (this.offset + size > this.binary.length) {
      throw new BadRequestError(
        `input '${input}': binary_data_size ${size} runs past the end of the body (${this.binary.length - this.offset} bytes left)`,
      );
    }
    const part = this.binary.subarray(this.offset, this.offset + size);
    this.offset += size;
    return part;
  }

  assertConsumed(): void {
    if (this.offset !== this.binary.length) {
      throw new BadRequestError(
        `body has ${this.binary.length - this.offset} bytes after the last binary input; binary_data_size values must add up to the binary part`,
      );
    }
  }
}

export function fromBinaryData(input: string, datatype: Datatype, bytes: Buffer, count: number): NumericData | string[] {
  if (datatype === 'BYTES') return decodeBytesElements(input, bytes, count);
  const expected = count * DATATYPES[datatype].bytes;
  if (bytes.length !== expected) {
    throw new BadRequestError(
      `input '${input}': binary_data_size is ${bytes.length} bytes, shape and datatype ${datatype} need ${expected}`,
    );
  }
  return viewBytes(datatype, bytes);
}

function decodeBytesElements(input: string, bytes: Buffer, count: number): string[] {
  const out = new Array<string>(count);
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > bytes.length) {
      throw new BadRequestError(`input '${input}': binary BYTES data ends before element ${i} of ${count}`);
    }
    const length = bytes.readUInt32LE(offset);
    offset += 4;
    if (offset + length > bytes.length) {
      throw new BadRequestError(`input '${input}': binary BYTES element ${i} claims ${length} bytes past the end`);
    }
    out[i] = utf8Element(input, i, bytes.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== bytes.length) {
    throw new BadRequestError(`input '${input}': binary BYTES data has ${bytes.length - offset} bytes after ${count} elements`);
  }
  return out;
}

// onnxruntime-node's string tensors hold text: bytes that are not UTF-8 would be replaced by U+FFFD
// on their way in, silently. They are refused instead.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8Element(input: string, index: number, bytes: Buffer): string {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new BadRequestError(
      `input '${input}': BYTES element ${index} is not valid UTF-8; onnxruntime string tensors carry UTF-8 text only`,
    );
  }
  if (text.includes('\0')) throw new BadRequestError(`input '${input}': BYTES element ${index} holds a NUL byte; ${NUL_ENDS_STRINGS}`);
  return text;
}

/**
 * Why a NUL in a BYTES element is refused: onnxruntime's string tensors are C strings, so
 * `"ab\0cd"` would run as `"ab"`, silently. Refused in JSON and binary alike.
 */
export const NUL_ENDS_STRINGS = 'onnxruntime string tensors end at the first NUL, so the rest would be lost';

export function encodeBytesElements(values: readonly string[]): Buffer {
  const parts = values.map((v) => Buffer.from(v, 'utf8'));
  const out = Buffer.allocUnsafe(parts.reduce((n, p) => n + 4 + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.writeUInt32LE(p.length, offset);
    p.copy(out, offset + 4);
    offset += 4 + p.length;
  }
  return out;
}
