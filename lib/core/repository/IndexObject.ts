import type { S3Client } from '@aws-sdk/client-s3';
import { NamedError } from '../errors';
import type { S3Sdk } from '../sources/requireS3Sdk';
import { s3StatusOf } from '../sources/S3Reader';

/** What a GET of the index answered: its text and ETag, unchanged since the ETag the caller had, or no index. */
export type IndexRead = { state: 'found'; text: string; etag: string } | { state: 'not-modified' } | { state: 'missing' };

/** Another writer changed the index between this writer's read and its write: read again and retry. */
export class IndexConflictError extends NamedError {}

/**
 * The index object of one repository over S3's own conditional requests:
 * - a read sends the ETag it holds as `If-None-Match`, and S3 answers 304 without a body while the
 *   index is unchanged (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html);
 * - a write sends `If-Match: <etag>` (or `If-None-Match: *` to create it), and S3 answers
 *   412 Precondition Failed when another write came first, or 409 ConditionalRequestConflict when
 *   one is under way, or 404 to an If-Match when the index was removed: all mean read again and retry
 *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
 */
export class IndexObject {
  readonly uri: string;

  constructor(
    private readonly client: S3Client,
    private readonly sdk: Pick<S3Sdk, 'GetObjectCommand' | 'PutObjectCommand'>,
    readonly bucket: string,
    readonly key: string,
  ) {
    this.uri = `s3://${bucket}/${key}`;
  }

  async read(etag?: string): Promise<IndexRead> {
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.key, IfNoneMatch: etag }));
      const text = (await out.Body?.transformToString('utf8')) ?? '';
      return { state: 'found', text, etag: out.ETag ?? '' };
    } catch (err) {
      const status = s3StatusOf(err);
      if (status === 304) return { state: 'not-modified' };
      if (status === 404 || (err as { name?: string }).name === 'NoSuchKey') return { state: 'missing' };
      throw err;
    }
  }

  /** Writes `text` if the index is still at `etag` (undefined: if there is no index yet); returns the new ETag. */
  async write(text: string, etag: string | undefined): Promise<string> {
    try {
      const out = await this.client.send(
        new this.sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Body: text,
          ContentType: 'application/json',
          ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
        }),
      );
      return out.ETag ?? '';
    } catch (err) {
      const status = s3StatusOf(err);
      // 404 to an If-Match: the index was removed since it was read; the next read finds none.
      if (status === 412 || status === 409 || (status === 404 && etag !== undefined)) {
        throw new IndexConflictError(`${this.uri} changed since it was read (S3 answered ${status})`, { cause: err });
      }
      throw err;
    }
  }
}
