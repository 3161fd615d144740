import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BatchSummary } from '../../core/batch/BatchSummary';
import { summaryKeyOf, type S3Prefix } from '../../core/batch/S3Prefix';

/** Writes `<output prefix>_SUMMARY.json` and answers its text. */
export async function writeSummary(s3: S3Client, output: S3Prefix, summary: BatchSummary): Promise<string> {
  const text = `${JSON.stringify(summary, null, 2)}\n`;
  await s3.send(new PutObjectCommand({ Bucket: output.bucket, Key: summaryKeyOf(output), Body: text, ContentType: 'application/json' }));
  return text;
}
