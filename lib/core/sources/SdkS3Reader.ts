import type { S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { S3Sdk } from './requireS3Sdk';
import type { S3Get, S3Head, S3Reader } from './S3Reader';

/** S3 through the AWS SDK's client: its credential chain, retries, endpoints and all. */
export class SdkS3Reader implements S3Reader {
  /**
   * `sdk`: the module the client came from, whose commands it is sent; by default the SDK is
   * imported with the first call, not with the module that names this class.
   */
  constructor(
    readonly client: S3Client,
    private readonly module?: S3Sdk,
  ) {}

  private async sdk(): Promise<S3Sdk> {
    return this.module ?? import('@aws-sdk/client-s3');
  }

  async head(bucket: string, key: string): Promise<S3Head> {
    const { HeadObjectCommand } = await this.sdk();
    const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: head.ContentLength ?? 0, etag: head.ETag ?? '' };
  }

  async get(bucket: string, key: string, range?: { start: number; end: number }, signal?: AbortSignal): Promise<S3Get> {
    const { GetObjectCommand } = await this.sdk();
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      // A stopped load (a deadline) cancels its request instead of letting it finish unread.
      { abortSignal: signal },
    );
    return { stream: out.Body as Readable, length: out.ContentLength ?? 0, contentRange: out.ContentRange, etag: out.ETag ?? '' };
  }
}
