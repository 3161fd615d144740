// zod/mini with named imports: this runs in every model function, whose bundle's load is a cold
// start's (zod's full build is ~470 KB of it).
import {
  array,
  int,
  minimum,
  maxLength,
  minLength,
  number,
  object,
  optional,
  prettifyError,
  strictObject,
  string,
  union,
  type output,
} from 'zod/mini';
import { BatchInputError } from './errors';

/**
 * The event a Distributed Map child execution hands the function when the Map state batches
 * (ItemBatcher): `{ "Items": [...], "BatchInput": {...} }`, the batch's items under `Items` and the
 * ItemBatcher's fixed `BatchInput` beside them
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itembatcher.html). With an
 * ItemReader over S3 ListObjectsV2 each item is one object: `{ Key, Size, ETag, LastModified,
 * StorageClass }` (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html).
 * The local executor (lib/tools/batch) sends the same shape.
 */
export const BatchItemSchema = object({
  Key: string().check(minLength(1, 'Key: expected an object key')),
  Size: optional(int().check(minimum(0))),
  /** As S3 lists it, quotes included (`"9b2cf535f27731c974343645a3985328"`). */
  ETag: optional(string()),
  LastModified: optional(union([string(), number()])),
  StorageClass: optional(string()),
});

export const BatchInputSchema = strictObject({
  /** `s3://bucket/prefix/` the items were listed under. */
  input: string(),
  /** `s3://bucket/prefix/` the answers go to. */
  output: string(),
});

export const BatchEventSchema = object({
  Items: array(BatchItemSchema).check(maxLength(10_000, 'Items: at most 10000 in one batch')),
  BatchInput: BatchInputSchema,
});

export type BatchItem = output<typeof BatchItemSchema>;
export type BatchEvent = output<typeof BatchEventSchema>;

/** Looks like a batch event (an `Items` array beside a `BatchInput`): the handler's dispatch test. */
export function isBatchEvent(event: unknown): event is { Items: unknown[]; BatchInput: unknown } {
  return typeof event === 'object' && event !== null && Array.isArray((event as { Items?: unknown }).Items) && 'BatchInput' in event;
}

export function parseBatchEvent(event: unknown): BatchEvent {
  const parsed = BatchEventSchema.safeParse(event);
  if (!parsed.success) throw new BatchInputError(`not a batch event: ${prettifyError(parsed.error)}`);
  return parsed.data;
}

/** S3 sends ETags quoted; compare them bare. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
}
