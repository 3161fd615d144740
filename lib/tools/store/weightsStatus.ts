import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri, type ModelEntry } from '../../core/registry';
import { MANIFEST_NAME, manifestBytes, manifestSha256, parseManifest } from '../../core/sources/ModelManifest';
import { s3StatusOf } from '../../core/sources/S3Reader';

/** What the check reads of an entry: a model's, a pipeline member's, or a repository model's from its index. */
export type WeightsEntry = Pick<ModelEntry, 'weights' | 'sha256' | 'size'>;

export type WeightsState = 'ok' | 'missing' | 'size-mismatch' | 'pin-mismatch' | 'unverified' | 'unreachable';

export interface WeightsStatus {
  model: string;
  weights: string;
  state: WeightsState;
  detail: string;
}

/**
 * Are a model's files present, and do they match the entry's size and sha256 pin? A single
 * file: one HEAD. A model directory: its manifest (hashed against the pin) and a HEAD per file.
 */
export async function weightsStatus(client: S3Client, model: string, entry: WeightsEntry): Promise<WeightsStatus> {
  const location = parseS3Uri(entry.weights);
  const base = { model, weights: entry.weights };
  try {
    if (location.key.endsWith('/')) return { ...base, ...(await directoryStatus(client, location.bucket, location.key, entry)) };
    const head = await client.send(new HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
    const size = head.ContentLength ?? 0;
    if (entry.size !== undefined && size !== entry.size) {
      return { ...base, state: 'size-mismatch', detail: `${size} bytes, the entry says ${entry.size}` };
    }
    const stored = head.Metadata?.sha256;
    if (!entry.sha256) return { ...base, state: 'ok', detail: `${size} bytes, no pin` };
    if (!stored) return { ...base, state: 'unverified', detail: `${size} bytes, pushed without a recorded sha256` };
    if (stored !== entry.sha256) {
      return { ...base, state: 'pin-mismatch', detail: `sha256 ${stored}, pinned ${entry.sha256}` };
    }
    return { ...base, state: 'ok', detail: `${size} bytes, sha256 matches the pin` };
  } catch (err) {
    const status = s3StatusOf(err);
    if (status === 404) return { ...base, state: 'missing', detail: 'no object at that key' };
    return { ...base, state: 'unreachable', detail: (err as Error).message || (err as Error).name };
  }
}

async function directoryStatus(
  client: S3Client,
  bucket: string,
  prefix: string,
  entry: WeightsEntry,
): Promise<Pick<WeightsStatus, 'state' | 'detail'>> {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${MANIFEST_NAME}` }));
  const text = (await got.Body?.transformToString('utf8')) ?? '';
  const sha256 = manifestSha256(text);
  if (entry.sha256 && sha256 !== entry.sha256)
    return { state: 'pin-mismatch', detail: `manifest sha256 ${sha256}, pinned ${entry.sha256}` };
  const manifest = parseManifest(text, `s3://${bucket}/${prefix}${MANIFEST_NAME}`);
  const size = manifestBytes(manifest);
  if (entry.size !== undefined && size !== entry.size)
    return { state: 'size-mismatch', detail: `${size} bytes, the entry says ${entry.size}` };
  for (const file of [...manifest.files, ...[manifest.optimized, manifest.ort].filter((f) => f !== undefined)]) {
    const head = await client
      .send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}${file.path}` }))
      .catch((err: unknown) => err as Error);
    if (head instanceof Error) return { state: 'missing', detail: `${file.path} listed in the manifest is not in the bucket` };
    if (head.ContentLength !== file.size)
      return { state: 'size-mismatch', detail: `${file.path} is ${head.ContentLength} bytes, the manifest says ${file.size}` };
  }
  return {
    state: 'ok',
    detail: `${manifest.files.length} files, ${size} bytes${entry.sha256 ? ', manifest matches the pin' : ', no pin'}`,
  };
}
