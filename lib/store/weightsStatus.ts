import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseS3Uri, type ModelEntry } from '../registry';

export type WeightsState = 'ok' | 'missing' | 'size-mismatch' | 'pin-mismatch' | 'unverified' | 'unreachable';

export interface WeightsStatus {
  model: string;
  weights: string;
  state: WeightsState;
  detail: string;
}

/** Are a model's weights present, and do they match the entry's size and sha256 pin? One HEAD each. */
export async function weightsStatus(client: S3Client, model: string, entry: ModelEntry): Promise<WeightsStatus> {
  const location = parseS3Uri(entry.weights);
  const base = { model, weights: entry.weights };
  try {
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
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return { ...base, state: 'missing', detail: 'no object at that key' };
    return { ...base, state: 'unreachable', detail: (err as Error).message || (err as Error).name };
  }
}
