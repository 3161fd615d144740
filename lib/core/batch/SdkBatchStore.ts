import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Sdk } from '../sources/requireS3Sdk';
import { s3StatusOf } from '../sources/S3Reader';
import { INPUT_ETAG_METADATA, type BatchObject, type BatchObjectStore } from './BatchObjectStore';
import { bareEtag } from './BatchEvent';

/**
 * The batch's S3 calls through the AWS SDK v3's client. On Lambda the SDK is the one the Node
 * runtime carries (requireS3Sdk: the function bundles leave it out); a batch invocation runs for
 * seconds to minutes, so its load is not a cold start's concern.
 */
export class SdkBatchStore implements BatchObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly sdk: S3Sdk,
  ) {}

  async read(bucket: string, key: string): Promise<BatchObject> {
    const out = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
    return { body, etag: out.ETag ?? '', contentType: out.ContentType };
  }

  async recordedInputEtag(bucket: string, key: string): Promise<string | undefined> {
    try {
      const head = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
      const recorded = head.Metadata?.[INPUT_ETAG_METADATA];
      return recorded === undefined ? undefined : bareEtag(recorded);
    } catch (err) {
      // A missing key is a 404 to a caller allowed to list the bucket and a 403 to one that is not
      // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html). Whether a ListBucket
      // grant limited by an s3:prefix condition counts is not documented: either way there is no
      // answer to skip for, and a write that is really denied fails on the PUT, naming it.
      const status = s3StatusOf(err);
      if (status === 404 || status === 403) return undefined;
      throw err;
    }
  }

  async write(bucket: string, key: string, body: string | Buffer, inputEtag: string): Promise<void> {
    await this.client.send(
      new this.sdk.PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
        Metadata: { [INPUT_ETAG_METADATA]: bareEtag(inputEtag) },
      }),
    );
  }
}
