/** One item that did not get an answer, and why (the route's `{"error"}` message, or the S3 failure). */
export interface BatchFailure {
  key: string;
  error: string;
}

/**
 * What a batch (one invocation) or a whole job did: the shape of `<output prefix>_SUMMARY.json`.
 * `skipped`: the answer was there already, made from the same input (same ETag).
 */
export interface BatchSummary {
  succeeded: number;
  failed: number;
  skipped: number;
  failures: BatchFailure[];
}

export function emptySummary(): BatchSummary {
  return { succeeded: 0, failed: 0, skipped: 0, failures: [] };
}

/** Adds `part` into `total` (mutates `total`; returns it). */
export function addSummary(total: BatchSummary, part: BatchSummary): BatchSummary {
  total.succeeded += part.succeeded;
  total.failed += part.failed;
  total.skipped += part.skipped;
  total.failures.push(...part.failures);
  return total;
}

/** Failures as a share of every item, in percent (0 for an empty job). */
export function failedPercent(summary: BatchSummary): number {
  const total = summary.succeeded + summary.failed + summary.skipped;
  return total === 0 ? 0 : (summary.failed / total) * 100;
}
