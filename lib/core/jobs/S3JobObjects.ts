import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Sdk } from '../sources/requireS3Sdk';
import type { S3Location } from '../registry/s3Uri';
import type { JobObjects } from './JobStore';

/**
 * Job objects in S3 under one prefix, through the SDK's client. `sdk` is the module the client
 * came from (on Lambda the runtime's own SDK, requireS3Sdk.ts), whose commands it is sent.
 */
export class S3JobObjects implements JobObjects {
  readonly where: string;

  constructor(
    private readonly client: S3Client,
    private readonly sdk: Pick<S3Sdk, 'GetObjectCommand' | 'PutObjectCommand'>,
    private readonly location: S3Location,
  ) {
    this.where = `s3://${location.bucket}/${location.key}`;
  }

  async put(key: string, body: string): Promise<void> {
    await this.client.send(
      new this.sdk.PutObjectCommand({
        Bucket: this.location.bucket,
        Key: this.location.key + key,
        Body: body,
        ContentType: 'application/json',
      }),
    );
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: this.location.key + key }));
      return (await out.Body?.transformToString('utf8')) ?? '';
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw err;
    }
  }
}

/**
 * A missing object. A function's role may read its jobs prefix but not list the bucket, and then
 * S3 answers a missing key 403, not 404: "If you don't have the s3:ListBucket permission, Amazon
 * S3 returns an HTTP status code 403 Forbidden (access denied) error" (S3 API Reference,
 * GetObject, Permissions). Under a prefix the role may read, a 403 is a missing object.
 */
function isAbsent(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404 || e?.$metadata?.httpStatusCode === 403;
}
