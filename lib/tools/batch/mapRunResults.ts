import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { addSummary, emptySummary, type BatchSummary } from '../../core/batch/BatchSummary';

/**
 * What a Distributed Map's ResultWriter leaves: a `manifest.json` listing result files by the child
 * executions' status, each file a JSON list of child executions with their `Input` and `Output`
 * (or `Error` and `Cause`) as JSON text
 * (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html). A child's
 * output is one batch's summary (the function's answer); a failed child failed each of its items.
 */
interface ResultManifest {
  DestinationBucket?: string;
  ResultFiles?: Record<string, Array<{ Key: string }>>;
}

export interface ChildExecutionResult {
  Input?: string;
  Output?: string;
  Error?: string;
  Cause?: string;
  Status?: string;
}

/** Pure: the job's summary from the child executions' results. */
export function summaryOfChildren(children: readonly ChildExecutionResult[]): BatchSummary {
  const total = emptySummary();
  for (const child of children) {
    if (child.Status === 'SUCCEEDED' && child.Output !== undefined) {
      addSummary(total, JSON.parse(child.Output) as BatchSummary);
      continue;
    }
    const items = ((child.Input ? JSON.parse(child.Input) : {}) as { Items?: Array<{ Key: string }> }).Items ?? [];
    const error = `the invocation failed: ${[child.Error, child.Cause].filter(Boolean).join(': ') || child.Status || 'unknown'}`;
    total.failed += items.length;
    total.failures.push(...items.map((i) => ({ key: i.Key, error })));
  }
  return total;
}

/** Reads the manifest at `bucket/key` and every result file it lists, and sums them up. */
export async function readMapRunSummary(s3: S3Client, bucket: string, manifestKey: string): Promise<BatchSummary> {
  const readJson = async <T>(b: string, key: string): Promise<T> => {
    const out = await s3.send(new GetObjectCommand({ Bucket: b, Key: key }));
    return JSON.parse(await out.Body!.transformToString()) as T;
  };
  const manifest = await readJson<ResultManifest>(bucket, manifestKey);
  const destination = manifest.DestinationBucket ?? bucket;
  const children: ChildExecutionResult[] = [];
  for (const files of Object.values(manifest.ResultFiles ?? {})) {
    for (const file of files) children.push(...(await readJson<ChildExecutionResult[]>(destination, file.Key)));
  }
  return summaryOfChildren(children);
}
