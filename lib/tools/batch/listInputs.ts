import { HeadBucketCommand, ListObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BatchItem } from '../../core/batch/BatchEvent';
import { BatchSourceMissingError } from '../../core/batch/errors';
import { formatS3Prefix, type S3Prefix } from '../../core/batch/S3Prefix';
import { s3StatusOf } from '../../core/sources/S3Reader';

/**
 * The objects under the input prefix as a Distributed Map's ItemReader on ListObjectsV2 hands them
 * out: `{ Key, Size, ETag, LastModified, StorageClass }` per object, in listing order
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html). A missing
 * bucket or an empty prefix is an error naming it, before anything runs.
 *
 * Listed with ListObjects (v1, paged by Marker), the same objects in the same order: the local
 * stack's S3 server (s3rver 3.7) makes v2's continuation tokens with DES, which OpenSSL 3 (Node 17
 * and later) refuses, so every truncated v2 page there is a 500 InternalError: past 1,000 objects
 * a v2 listing could not be read at all.
 */
export async function listInputs(s3: S3Client, input: S3Prefix): Promise<BatchItem[]> {
  const items: BatchItem[] = [];
  let marker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await s3.send(new ListObjectsCommand({ Bucket: input.bucket, Prefix: input.prefix, Marker: marker }));
    } catch (err) {
      if (s3StatusOf(err) === 404 || (err as { name?: string }).name === 'NoSuchBucket')
        throw new BatchSourceMissingError(`the input bucket '${input.bucket}' does not exist (input ${formatS3Prefix(input)})`);
      throw err;
    }
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      items.push({
        Key: o.Key,
        Size: o.Size,
        ETag: o.ETag,
        LastModified: o.LastModified?.toISOString(),
        StorageClass: o.StorageClass,
      });
    }
    // Without a delimiter S3 sends no NextMarker: the page's last key is where the next one starts.
    if (!page.IsTruncated || items.length === 0) break;
    marker = items.at(-1)!.Key;
  }
  if (items.length === 0) throw new BatchSourceMissingError(`no objects under the input prefix ${formatS3Prefix(input)}`);
  return items;
}

/** Fails naming the output bucket when it is not there: answers would have nowhere to go. */
export async function assertBucketExists(s3: S3Client, prefix: S3Prefix, what: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: prefix.bucket }));
  } catch (err) {
    if (s3StatusOf(err) === 404)
      throw new BatchSourceMissingError(`the ${what} bucket '${prefix.bucket}' does not exist (${what} ${formatS3Prefix(prefix)})`);
    throw err;
  }
}
