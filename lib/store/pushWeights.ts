import { createReadStream } from 'node:fs';
import { HeadBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { OnnxFileFacts } from './inspectOnnxFile';

export class StoreUnreachableError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StoreUnreachableError';
  }
}

/** `<model>/<version>/model.onnx`: one immutable object per version, the layout deploys expect. */
export function weightsKey(model: string, version: number): string {
  return `${model}/${version}/model.onnx`;
}

/** The next free version of a model in the bucket: 1 for a new model. */
export async function nextVersion(client: S3Client, bucket: string, model: string): Promise<number> {
  let max = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${model}/`, Delimiter: '/', ContinuationToken: token }),
    );
    for (const prefix of page.CommonPrefixes ?? []) {
      const version = Number(prefix.Prefix?.slice(model.length + 1, -1));
      if (Number.isSafeInteger(version)) max = Math.max(max, version);
    }
    token = page.NextContinuationToken;
  } while (token);
  return max + 1;
}

export async function checkBucket(client: S3Client, bucket: string, endpoint: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const why =
      status === 404 ? 'it does not exist' : status === 403 ? 'access denied' : (err as Error).message || (err as Error).name;
    throw new StoreUnreachableError(`cannot use bucket '${bucket}' at ${endpoint}: ${why}`, { cause: err });
  }
}

/**
 * Streams the weights to S3 (multipart above 8 MiB, parts in parallel), recording their
 * sha256 in the object's metadata so `onnxless models` can check pins without a download.
 */
export async function pushWeights(
  client: S3Client,
  file: OnnxFileFacts,
  target: { bucket: string; key: string },
  onProgress?: (sent: number, total: number) => void,
): Promise<void> {
  const upload = new Upload({
    client,
    params: {
      Bucket: target.bucket,
      Key: target.key,
      Body: createReadStream(file.path),
      ContentType: 'application/octet-stream',
      Metadata: { sha256: file.sha256 },
    },
    partSize: 8 * 1024 * 1024,
    queueSize: 4,
  });
  upload.on('httpUploadProgress', (p) => onProgress?.(p.loaded ?? 0, file.size));
  await upload.done();
}
