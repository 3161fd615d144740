import { open, type FileHandle } from 'node:fs/promises';

/**
 * The `metadata_props` of an ONNX file (ModelProto field 14: key/value strings such as the
 * training facts `onnxless train` writes, or what an exporter records). onnxruntime-node does not
 * expose them, and decoding the whole protobuf (onnx-proto) would read every weight into memory
 * and put protobufjs in every handler bundle. So this walks the top-level fields by hand, reading
 * only their headers and skipping the graph by its length: a few small reads even for a large
 * model. Written by hand because no small library reads one field of a protobuf from a file.
 * https://protobuf.dev/programming-guides/encoding/ (wire format)
 */
const METADATA_PROPS_FIELD = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;
/** Metadata beyond this is not read: the facts a page shows are a few hundred bytes. */
const MAX_ENTRY_BYTES = 64 * 1024;
const MAX_ENTRIES = 256;

export async function readMetadataProps(path: string): Promise<Record<string, string>> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const props: Record<string, string> = {};
    let count = 0;
    let at = 0;
    while (at < size && count < MAX_ENTRIES) {
      const head = await readAt(file, at, Math.min(20, size - at));
      const tag = varint(head, 0);
      if (!tag) break;
      const field = Number(tag.value >> 3n);
      const wire = Number(tag.value & 7n);
      let offset = tag.next;
      if (wire === 0) {
        const v = varint(head, offset);
        if (!v) break;
        at += v.next;
        continue;
      }
      if (wire === 1 || wire === 5) {
        at += offset + (wire === 1 ? 8 : 4);
        continue;
      }
      if (wire !== 2) break; // groups (3, 4) are not in ONNX: stop rather than guess
      const len = varint(head, offset);
      if (!len) break;
      offset = len.next;
      const length = Number(len.value);
      if (field === METADATA_PROPS_FIELD && length <= MAX_ENTRY_BYTES) {
        const entry = parseEntry(await readAt(file, at + offset, length));
        if (entry) {
          // An own property whatever the key: `__proto__` in a model file must not set the prototype.
          Object.defineProperty(props, entry.key, { value: entry.value, enumerable: true, writable: true, configurable: true });
          count++;
        }
      }
      at += offset + length;
    }
    return props;
  } finally {
    await file.close();
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function varint(bytes: Uint8Array, start: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  for (let i = start, shift = 0n; i < bytes.length && shift < 70n; i++, shift += 7n) {
    const byte = bytes[i] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return { value, next: i + 1 };
  }
  return undefined;
}

/** A StringStringEntryProto: `key` (1) and `value` (2), both UTF-8. */
function parseEntry(bytes: Buffer): { key: string; value: string } | undefined {
  let key: string | undefined;
  let value = '';
  let at = 0;
  while (at < bytes.length) {
    const tag = varint(bytes, at);
    if (!tag || (tag.value & 7n) !== 2n) return undefined;
    const len = varint(bytes, tag.next);
    if (!len) return undefined;
    const text = bytes.toString('utf8', len.next, len.next + Number(len.value));
    if (tag.value >> 3n === BigInt(ENTRY_KEY)) key = text;
    else if (tag.value >> 3n === BigInt(ENTRY_VALUE)) value = text;
    at = len.next + Number(len.value);
  }
  return key === undefined ? undefined : { key, value };
}
