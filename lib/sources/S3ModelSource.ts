import type { S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import {
  SourceAccessDeniedError,
  SourceNotFoundError,
  type ModelSource,
  type SourceBody,
  type SourceStat,
} from './ModelSource';

/**
 * The SDK is loaded on first use, not with the handler: a pinned model already in /tmp never
 * calls S3, and evaluating the SDK is about 30 ms of a cold start (lib/sources/s3Client.ts
 * holds the client factory, imported eagerly by the CLI and the tests that need it).
 */
const sdk = () => import('@aws-sdk/client-s3');

export class S3ModelSource implements ModelSource {
  readonly uri: string;
  readonly description: string;

  constructor(
    readonly bucket: string,
    readonly key: string,
    private client?: S3Client,
  ) {
    this.uri = `s3://${bucket}/${key}`;
    this.description = this.uri;
  }

  private async s3(): Promise<S3Client> {
    this.client ??= (await import('./s3Client')).defaultS3Client();
    return this.client;
  }

  async stat(): Promise<SourceStat> {
    try {
      const [{ HeadObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
      const head = await client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key }));
      return { size: head.ContentLength ?? 0, version: head.ETag ?? '' };
    } catch (err) {
      throw this.translate(err);
    }
  }

  async open(range?: { start: number; end: number }, options: { signal?: AbortSignal } = {}): Promise<SourceBody> {
    try {
      const [{ GetObjectCommand }, client] = await Promise.all([sdk(), this.s3()]);
      const out = await client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
        // A stopped load (a deadline) cancels its request instead of letting it finish unread.
        { abortSignal: options.signal },
      );
      const length = out.ContentLength ?? 0;
      const size = range ? totalFromContentRange(out.ContentRange) ?? length : length;
      return { stream: out.Body as Readable, length, size, version: out.ETag ?? '' };
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (err as { name?: string }).name;
    if (status === 404 || name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
      return new SourceNotFoundError(`object ${this.uri} does not exist`, { cause: err });
    }
    if (status === 403 || name === 'AccessDenied') {
      return new SourceAccessDeniedError(`access to ${this.uri} was denied`, { cause: err });
    }
    return err;
  }
}

function totalFromContentRange(contentRange: string | undefined): number | undefined {
  const total = contentRange?.split('/')[1];
  return total === undefined || total === '*' ? undefined : Number(total);
}
