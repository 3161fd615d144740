import type { S3Client } from '@aws-sdk/client-s3';
import { defaultS3Reader } from './defaultS3Reader';
import { SourceAccessDeniedError, SourceNotFoundError, type ModelSource, type SourceBody, type SourceStat } from './ModelSource';
import { s3StatusOf, type S3Reader } from './S3Reader';
import { SdkS3Reader } from './SdkS3Reader';

/** How a source reaches S3: an SDK client the caller made, a reader, or (undefined) the process's default. */
export type S3Transport = S3Client | S3Reader;

export class S3ModelSource implements ModelSource {
  readonly uri: string;
  readonly description: string;
  private reader?: S3Reader;

  constructor(
    readonly bucket: string,
    readonly key: string,
    transport?: S3Transport,
  ) {
    this.uri = `s3://${bucket}/${key}`;
    this.description = this.uri;
    this.reader = transport === undefined || isReader(transport) ? transport : new SdkS3Reader(transport);
  }

  private async s3(): Promise<S3Reader> {
    this.reader ??= await defaultS3Reader();
    return this.reader;
  }

  async stat(): Promise<SourceStat> {
    try {
      const head = await (await this.s3()).head(this.bucket, this.key);
      return { size: head.size, version: head.etag };
    } catch (err) {
      throw this.translate(err);
    }
  }

  async open(range?: { start: number; end: number }, options: { signal?: AbortSignal } = {}): Promise<SourceBody> {
    try {
      const out = await (await this.s3()).get(this.bucket, this.key, range, options.signal);
      const size = range ? (totalFromContentRange(out.contentRange) ?? out.length) : out.length;
      return { stream: out.stream, length: out.length, size, version: out.etag };
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    const status = s3StatusOf(err);
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

function isReader(transport: S3Transport): transport is S3Reader {
  return typeof (transport as S3Reader).get === 'function' && typeof (transport as S3Reader).head === 'function';
}

function totalFromContentRange(contentRange: string | undefined): number | undefined {
  const total = contentRange?.split('/')[1];
  return total === undefined || total === '*' ? undefined : Number(total);
}
