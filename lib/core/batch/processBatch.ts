import { OnnxlessError } from '../errors';
import type { RequestContext, Router } from '../http/routes';
import { Deadline } from '../inference/Deadline';
import { s3StatusOf } from '../sources/S3Reader';
import { bareEtag, type BatchEvent, type BatchItem } from './BatchEvent';
import type { BatchObject, BatchObjectStore } from './BatchObjectStore';
import { emptySummary, type BatchSummary } from './BatchSummary';
import { KNOWN_EXTENSIONS, itemRequest, mediaTypeOf } from './itemRequest';
import { assertOutputOutsideInput, outputKeyOf, parseS3Prefix, type S3Prefix } from './S3Prefix';
import { StackedRuns } from './StackedRuns';

export interface BatchTarget {
  /** The name the routes serve (a model, or a pipeline's domain route). */
  model: string;
  router: Router;
  /** The largest body the model's routes take: a bigger object fails without being read. */
  maxBodyBytes: number;
  store: BatchObjectStore;
}

export interface BatchRun {
  /** When the invocation must have answered: items not started by then fail as not started. */
  deadline?: Deadline;
  /** Request ids of the items' records: `<requestId>/<index>`. */
  requestId?: string;
  /**
   * Items whose model runs are stacked into one `session.run` (StackedRuns.ts), default 1: one
   * item at a time. The items of a group run through the routes together.
   */
  itemsPerRun?: number;
}

type Failed = { outcome: 'failed'; error: string };
type ItemOutcome = { outcome: 'succeeded' | 'skipped' } | Failed;
/** An item read and ready to run, or already settled (skipped, or failed before its run). */
type Prepared = { outcome: 'ready'; object: BatchObject; contentType: string; outputKey: string } | { outcome: 'skipped' } | Failed;

const NOT_STARTED: Failed = {
  outcome: 'failed',
  error: "not started: the invocation's time ran out (raise the timeout or lower itemsPerInvocation)",
};

/**
 * One batch of a job: each item read from the input prefix, run through the same routes an HTTP
 * request takes (so the answer is the same body), and written to
 * `<output prefix><key relative to the input prefix>.json`, recording the input's ETag. An item
 * whose answer records the same ETag is skipped: a rerun, or a batch Step Functions retries,
 * does only what is left. A failed item is recorded with its reason and does not stop the rest.
 *
 * The items go through the routes a group of `itemsPerRun` at a time, their model runs stacked
 * into one (StackedRuns.ts); with 1, one item at a time. The S3 calls around the runs do not wait
 * for them: the next group's answer checks and reads are sent before this group runs, and each
 * answer's write finishes while the next groups run. A run blocks the event loop, so the replies
 * wait in the socket buffers until it ends, already there.
 */
export async function processBatch(event: BatchEvent, target: BatchTarget, run: BatchRun = {}): Promise<BatchSummary> {
  const input = parseS3Prefix(event.BatchInput.input, 'BatchInput.input');
  const output = parseS3Prefix(event.BatchInput.output, 'BatchInput.output');
  assertOutputOutsideInput(input, output);
  const deadline = run.deadline ?? Deadline.none();
  const itemsPerRun = Math.max(1, Math.floor(run.itemsPerRun ?? 1));
  const summary = emptySummary();
  const settle = (item: BatchItem, result: ItemOutcome) => {
    if (result.outcome === 'failed') {
      summary.failed++;
      summary.failures.push({ key: item.Key, error: result.error });
    } else summary[result.outcome]++;
  };
  // A "folder" marker object (`photos/`) holds no input.
  const entries = [...event.Items.entries()].filter(([, item]) => !item.Key.endsWith('/'));
  const groups: Array<typeof entries> = [];
  for (let i = 0; i < entries.length; i += itemsPerRun) groups.push(entries.slice(i, i + itemsPerRun));
  const prepare = (g: number): Array<Promise<Prepared>> | undefined =>
    groups[g]?.map(([, item]) => prepareItem(item, { input, output }, target));
  const writes: Promise<void>[] = [];
  let next = prepare(0);
  for (const [g, group] of groups.entries()) {
    const current = next!;
    if (deadline.remainingMs() <= 0) {
      for (const [, item] of group) settle(item, NOT_STARTED);
      continue;
    }
    next = prepare(g + 1);
    const prepared = await Promise.all(current);
    const stack = itemsPerRun > 1 ? new StackedRuns(itemsPerRun) : undefined;
    const answers = await Promise.all(
      group.map(([index], k) => {
        const ready = prepared[k]!;
        if (ready.outcome !== 'ready') return undefined;
        const context: RequestContext = {
          deadline,
          requestId: run.requestId && `${run.requestId}/${index}`,
          runnerView: stack && ((runner) => stack.view(runner)),
        };
        const request = itemRequest(target.model, ready.object.body, ready.contentType);
        return stack ? stack.join(() => target.router.handle(request, context)) : target.router.handle(request, context);
      }),
    );
    // Settled in the items' order, whatever order their runs ended in.
    group.forEach(([, item], k) => {
      const ready = prepared[k]!;
      const res = answers[k];
      if (ready.outcome !== 'ready' || res === undefined) return settle(item, ready as ItemOutcome);
      if (res.status !== 200) return settle(item, { outcome: 'failed', error: `${res.status}: ${errorMessageOf(res.body)}` });
      writes.push(
        target.store.write(output.bucket, ready.outputKey, res.body, ready.object.etag || item.ETag || '').then(
          () => settle(item, { outcome: 'succeeded' }),
          (err: unknown) => settle(item, failureOf(err)),
        ),
      );
    });
  }
  await Promise.all(writes);
  return summary;
}

/** The item's answer check and read: everything before its run. Never rejects: a failure is its outcome. */
async function prepareItem(item: BatchItem, prefixes: { input: S3Prefix; output: S3Prefix }, target: BatchTarget): Promise<Prepared> {
  const { input, output } = prefixes;
  try {
    const outputKey = outputKeyOf(input, output, item.Key);
    if (item.ETag !== undefined && (await target.store.recordedInputEtag(output.bucket, outputKey)) === bareEtag(item.ETag)) {
      return { outcome: 'skipped' };
    }
    if (item.Size !== undefined && item.Size > target.maxBodyBytes) {
      return { outcome: 'failed', error: `413: the object is ${item.Size} bytes, over the model's limit of ${target.maxBodyBytes}` };
    }
    const object = await target.store.read(input.bucket, item.Key);
    // Listed without an ETag (a caller's own event): the answer may be there from this very object.
    if (item.ETag === undefined && (await target.store.recordedInputEtag(output.bucket, outputKey)) === bareEtag(object.etag)) {
      return { outcome: 'skipped' };
    }
    const contentType = mediaTypeOf(item.Key, object.contentType);
    if (contentType === undefined) {
      return {
        outcome: 'failed',
        error: `415: cannot tell what the object is: name it with an extension (${KNOWN_EXTENSIONS.map((e) => `.${e}`).join(', ')}) or store it with its Content-Type`,
      };
    }
    return { outcome: 'ready', object, contentType, outputKey };
  } catch (err) {
    return failureOf(err);
  }
}

function failureOf(err: unknown): Failed {
  if (err instanceof OnnxlessError) return { outcome: 'failed', error: `${err.status}: ${err.message}` };
  const status = s3StatusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  return { outcome: 'failed', error: status === 404 ? `404: the object is gone from S3 (${message})` : `S3: ${message}` };
}

function errorMessageOf(body: string | Buffer): string {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: the text itself, clipped
  }
  return text.slice(0, 500);
}
