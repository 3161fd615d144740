import { z } from 'zod';
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
export const BatchItemSchema = z.object({
  Key: z.string().min(1, 'Key: expected an object key'),
  Size: z.number().int().min(0).optional(),
  /** As S3 lists it, quotes included (`"9b2cf535f27731c974343645a3985328"`). */
  ETag: z.string().optional(),
  LastModified: z.union([z.string(), z.number()]).optional(),
  StorageClass: z.string().optional(),
});

export const BatchInputSchema = z.strictObject({
  /** `s3://bucket/prefix/` the items were listed under. */
  input: z.string(),
  /** `s3://bucket/prefix/` the answers go to. */
  output: z.string(),
});

export const BatchEventSchema = z.object({
  Items: z.array(BatchItemSchema).max(10_000, 'Items: at most 10000 in one batch'),
  BatchInput: BatchInputSchema,
});

export type BatchItem = z.output<typeof BatchItemSchema>;
export type BatchEvent = z.output<typeof BatchEventSchema>;

/** Looks like a batch event (an `Items` array beside a `BatchInput`): the handler's dispatch test. */
export function isBatchEvent(event: unknown): event is { Items: unknown[]; BatchInput: unknown } {
  return typeof event === 'object' && event !== null && Array.isArray((event as { Items?: unknown }).Items) && 'BatchInput' in event;
}

export function parseBatchEvent(event: unknown): BatchEvent {
  const parsed = BatchEventSchema.safeParse(event);
  if (!parsed.success) throw new BatchInputError(`not a batch event: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** S3 sends ETags quoted; compare them bare. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');
}
