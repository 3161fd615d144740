import type { Env } from '../core/config/env';
import { AsyncJobs, type AnswerRequest } from '../core/jobs/AsyncJobs';
import { jobsSettingsFromEnv, s3JobStore } from '../core/jobs/jobsFromEnv';
import type { JobRef } from '../core/jobs/JobStatus';
import { launcherFromEnv, type JobEvent } from './jobLauncher';

/**
 * Asynchronous requests on Lambda: the jobs of this function, where the deploy gave it a jobs
 * prefix (ONNXLESS_JOBS_URI); undefined otherwise, and `Prefer: respond-async` is then ignored.
 */
export function lambdaJobsFromEnv(env: Env = process.env): AsyncJobs | undefined {
  const settings = jobsSettingsFromEnv(env);
  if (!settings) return undefined;
  return new AsyncJobs({
    store: s3JobStore(settings.location, env),
    launcher: launcherFromEnv(env),
    webhooks: settings.webhooks,
    onWebhook: (ref, url, outcome) =>
      log(outcome.ok ? 'INFO' : 'WARN', 'job webhook called', { ...ref, host: new URL(url).host, ...outcome }),
  });
}

/** The event of a job's run (jobLauncher.ts). */
export function jobEventOf(event: unknown): JobRef | undefined {
  const job = (event as Partial<JobEvent> | null)?.onnxlessJob;
  return isRef(job) ? { model: job.model, id: job.id } : undefined;
}

/**
 * A record of an asynchronous invocation that failed every attempt, as Lambda sends it to an
 * on-failure destination: `requestContext.condition` (RetriesExhausted, EventAgeExceeded),
 * `requestPayload` (the event), `responsePayload` (the error the function threw)
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
 */
interface InvocationRecord {
  requestContext: { condition?: string };
  requestPayload?: unknown;
  responsePayload?: { errorMessage?: unknown } | null;
}

export function isInvocationRecord(event: unknown): event is InvocationRecord {
  const record = event as Partial<InvocationRecord> | null;
  return typeof record?.requestContext?.condition === 'string' && record !== null && 'requestPayload' in record;
}

/**
 * A job's run, or the record of one that Lambda gave up on; undefined for any other event. A
 * record never throws: its own failure would go to the destination again, a record of a record.
 */
export async function jobEntry(jobs: AsyncJobs, event: unknown, answer: AnswerRequest): Promise<{ job?: JobRef } | undefined> {
  const ref = jobEventOf(event);
  if (ref) {
    await jobs.run(ref, answer);
    return { job: ref };
  }
  if (!isInvocationRecord(event)) return undefined;
  const { condition } = event.requestContext;
  const failed = jobEventOf(event.requestPayload);
  // What the run threw stays in the log, for operators; the caller reads the condition only.
  log('ERROR', 'an asynchronous invocation failed every attempt', { ...failed, condition, error: errorOf(event.responsePayload) });
  if (!failed) return {};
  const why = condition === 'EventAgeExceeded' ? 'the job waited too long to run' : 'the job’s run failed';
  try {
    await jobs.fail(failed, `${why} (${condition})`);
  } catch (err) {
    log('ERROR', 'could not record a failed job', { ...failed, error: err instanceof Error ? err.message : String(err) });
  }
  return { job: failed };
}

function errorOf(payload: InvocationRecord['responsePayload']): string | undefined {
  return typeof payload?.errorMessage === 'string' ? payload.errorMessage : undefined;
}

function isRef(value: unknown): value is JobRef {
  const ref = value as Partial<JobRef> | null | undefined;
  return typeof ref?.model === 'string' && typeof ref.id === 'string';
}

/** One JSON line, as the runtime's other records are (CloudWatch Logs reads stdout). */
function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ level, message, ...fields }));
}
