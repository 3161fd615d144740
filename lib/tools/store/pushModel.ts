import { NamedError } from '../../core/errors';
import { createReadStream } from 'node:fs';
import { HeadBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { MANIFEST_NAME } from '../../core/sources/ModelManifest';
import { s3StatusOf } from '../../core/sources/S3Reader';
import type { ModelFacts } from './inspectModel';

export class StoreUnreachableError extends NamedError {}

/** `<model>/<version>/`: one immutable directory per version, the layout deploys expect. */
export function modelPrefix(model: string, version: number): string {
  return `${model}/${version}/`;
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
    const status = s3StatusOf(err);
    const why = status === 404 ? 'it does not exist' : status === 403 ? 'access denied' : (err as Error).message || (err as Error).name;
    throw new StoreUnreachableError(`cannot use bucket '${bucket}' at ${endpoint}: ${why}`, { cause: err });
  }
}

/**
 * Uploads a model directory under `prefix`: each file (and the pre-optimised graph, and the ORT-format model when written) streamed (multipart above 8 MiB, parts
 * in parallel) with its sha256 in the object's metadata, and the manifest last, so a reader
 * that finds the manifest finds every file it lists.
 */
export async function pushModel(
  client: S3Client,
  model: ModelFacts,
  target: { bucket: string; prefix: string },
  onProgress?: (sent: number, total: number) => void,
): Promise<void> {
  let done = 0;
  const extra = [model.optimized, model.ort].filter((f) => f !== undefined);
  const total = model.size + extra.reduce((sum, f) => sum + f.size, 0);
  for (const file of [...model.files, ...extra]) {
    await putObject(
      client,
      { bucket: target.bucket, key: `${target.prefix}${file.path}` },
      createReadStream(file.from),
      file.sha256,
      (sent) => onProgress?.(done + sent, total),
    );
    done += file.size;
  }
  const manifest = Buffer.from(model.manifestText);
  await putObject(client, { bucket: target.bucket, key: `${target.prefix}${MANIFEST_NAME}` }, manifest, model.sha256);
  onProgress?.(total, total);
}

async function putObject(
  client: S3Client,
  target: { bucket: string; key: string },
  body: NodeJS.ReadableStream | Buffer,
  sha256: string,
  onProgress?: (sent: number) => void,
): Promise<void> {
  const upload = new Upload({
    client,
    params: {
      Bucket: target.bucket,
      Key: target.key,
      Body: body as never,
      ContentType: 'application/octet-stream',
      // Lets `onnxless models` check pins without a download.
      Metadata: { sha256 },
    },
    partSize: 8 * 1024 * 1024,
    queueSize: 4,
  });
  upload.on('httpUploadProgress', (p) => onProgress?.(p.loaded ?? 0));
  await upload.done();
}
