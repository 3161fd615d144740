import { OnnxlessError } from '../errors';
import type { RequestContext, Router } from '../http/routes';
import { Deadline } from '../inference/Deadline';
import { s3StatusOf } from '../sources/S3Reader';
import { bareEtag, type BatchEvent, type BatchItem } from './BatchEvent';
import type { BatchObjectStore } from './BatchObjectStore';
import { emptySummary, type BatchSummary } from './BatchSummary';
import { KNOWN_EXTENSIONS, itemRequest, mediaTypeOf } from './itemRequest';
import { assertOutputOutsideInput, outputKeyOf, parseS3Prefix, type S3Prefix } from './S3Prefix';

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
}

type ItemOutcome = { outcome: 'succeeded' | 'skipped' } | { outcome: 'failed'; error: string };

/**
 * One batch of a job: each item read from the input prefix, run through the same routes an HTTP
 * request takes (so the answer is the same body), and written to
 * `<output prefix><key relative to the input prefix>.json`, recording the input's ETag. An item
 * whose answer records the same ETag is skipped: a rerun, or a batch Step Functions retries,
 * does only what is left. A failed item is recorded with its reason and does not stop the rest.
 * Items run one after another: a Lambda instance runs one inference at a time.
 */
export async function processBatch(event: BatchEvent, target: BatchTarget, run: BatchRun = {}): Promise<BatchSummary> {
  const input = parseS3Prefix(event.BatchInput.input, 'BatchInput.input');
  const output = parseS3Prefix(event.BatchInput.output, 'BatchInput.output');
  assertOutputOutsideInput(input, output);
  const deadline = run.deadline ?? Deadline.none();
  const summary = emptySummary();
  for (const [index, item] of event.Items.entries()) {
    // A "folder" marker object (`photos/`) holds no input.
    if (item.Key.endsWith('/')) continue;
    const result =
      deadline.remainingMs() <= 0
        ? {
            outcome: 'failed' as const,
            error: "not started: the invocation's time ran out (raise the timeout or lower itemsPerInvocation)",
          }
        : await processItem(item, { input, output }, target, { deadline, requestId: run.requestId && `${run.requestId}/${index}` });
    if (result.outcome === 'failed') {
      summary.failed++;
      summary.failures.push({ key: item.Key, error: result.error });
    } else summary[result.outcome]++;
  }
  return summary;
}

async function processItem(
  item: BatchItem,
  prefixes: { input: S3Prefix; output: S3Prefix },
  target: BatchTarget,
  context: RequestContext,
): Promise<ItemOutcome> {
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
    const res = await target.router.handle(itemRequest(target.model, object.body, contentType), context);
    if (res.status !== 200) return { outcome: 'failed', error: `${res.status}: ${errorMessageOf(res.body)}` };
    await target.store.write(output.bucket, outputKey, res.body, object.etag || item.ETag || '');
    return { outcome: 'succeeded' };
  } catch (err) {
    if (err instanceof OnnxlessError) return { outcome: 'failed', error: `${err.status}: ${err.message}` };
    const status = s3StatusOf(err);
    const message = err instanceof Error ? err.message : String(err);
    return { outcome: 'failed', error: status === 404 ? `404: the object is gone from S3 (${message})` : `S3: ${message}` };
  }
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
