import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { BatchItem } from '../../core/batch/BatchEvent';
import { BatchSourceMissingError } from '../../core/batch/errors';
import { formatS3Prefix, type S3Prefix } from '../../core/batch/S3Prefix';
import { s3StatusOf } from '../../core/sources/S3Reader';

/**
 * The objects under the input prefix as a Distributed Map's ItemReader on ListObjectsV2 hands them
 * out: `{ Key, Size, ETag, LastModified, StorageClass }` per object, in listing order
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html). A missing
 * bucket or an empty prefix is an error naming it, before anything runs.
 */
export async function listInputs(s3: S3Client, input: S3Prefix): Promise<BatchItem[]> {
  const items: BatchItem[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await s3.send(new ListObjectsV2Command({ Bucket: input.bucket, Prefix: input.prefix, ContinuationToken: token }));
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
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  if (items.length === 0) throw new BatchSourceMissingError(`no objects under the input prefix ${formatS3Prefix(input)}`);
  return items;
}

/** Fails naming the output bucket when it is not there: answers would have nowhere to go. */
export async function assertBucketExists(s3: S3Client, prefix: S3Prefix, what: string): Promise<void> {
  const { HeadBucketCommand } = await import('@aws-sdk/client-s3');
  try {
    await s3.send(new HeadBucketCommand({ Bucket: prefix.bucket }));
  } catch (err) {
    if (s3StatusOf(err) === 404)
      throw new BatchSourceMissingError(`the ${what} bucket '${prefix.bucket}' does not exist (${what} ${formatS3Prefix(prefix)})`);
    throw err;
  }
}
