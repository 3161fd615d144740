import type { BatchEvent, BatchItem } from '../../core/batch/BatchEvent';
import { addSummary, emptySummary, type BatchSummary } from '../../core/batch/BatchSummary';
import { formatS3Prefix, type S3Prefix } from '../../core/batch/S3Prefix';

/** One invocation of the model's function with a batch event; resolves with its summary. */
export type InvokeBatch = (event: BatchEvent) => Promise<BatchSummary>;

export interface BatchCounts {
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
}

export interface LocalBatchOptions {
  input: S3Prefix;
  output: S3Prefix;
  items: readonly BatchItem[];
  invoke: InvokeBatch;
  /** Invocations at once (the Map's MaxConcurrency). */
  concurrency: number;
  /** Items per invocation (the ItemBatcher's MaxItemsPerBatch). */
  itemsPerInvocation: number;
  onProgress?: (counts: BatchCounts) => void;
}

/**
 * The embedded executor: what the deployed Distributed Map does, on one machine. The listed items
 * are cut into batches of `itemsPerInvocation` in listing order, each sent as the event the Map
 * sends (`{ Items, BatchInput }`), at most `concurrency` at once. An invocation that fails as a
 * whole (the function crashed or timed out) fails each of its items with that error, as a failed
 * child execution does.
 */
export async function runLocalBatch(options: LocalBatchOptions): Promise<BatchSummary> {
  const batches: BatchItem[][] = [];
  for (let i = 0; i < options.items.length; i += options.itemsPerInvocation) {
    batches.push(options.items.slice(i, i + options.itemsPerInvocation));
  }
  const BatchInput = { input: formatS3Prefix(options.input), output: formatS3Prefix(options.output) };
  const total = emptySummary();
  const report = () =>
    options.onProgress?.({ total: options.items.length, succeeded: total.succeeded, failed: total.failed, skipped: total.skipped });
  report();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const Items = batches[next++]!;
      let part: BatchSummary;
      try {
        part = await options.invoke({ Items, BatchInput });
      } catch (err) {
        const error = `the invocation failed: ${err instanceof Error ? err.message : String(err)}`;
        part = { succeeded: 0, failed: Items.length, skipped: 0, failures: Items.map((i) => ({ key: i.Key, error })) };
      }
      addSummary(total, part);
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, batches.length) }, worker));
  return total;
}
