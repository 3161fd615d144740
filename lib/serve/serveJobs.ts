import type { S3Client } from '@aws-sdk/client-s3';
import { AsyncJobs, type AnswerRequest, type JobLauncher } from '../core/jobs/AsyncJobs';
import { jobsSettingsFromEnv, s3JobStore, type JobsSettings } from '../core/jobs/jobsFromEnv';
import { JobStore } from '../core/jobs/JobStore';
import type { JobRef } from '../core/jobs/JobStatus';
import { S3JobObjects } from '../core/jobs/S3JobObjects';
import { requireS3Sdk } from '../core/sources/requireS3Sdk';
import { describeError, type ServerLog } from './log';

/**
 * Runs each job in this process, after its 202 is written (setImmediate: the answer goes out
 * first), through the same routes and worker threads as every request. `idle()` waits for the
 * runs in flight, so a drain lets them write their answers.
 */
export class InProcessLauncher implements JobLauncher {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly run: (ref: JobRef) => Promise<unknown>,
    private readonly log: ServerLog,
  ) {}

  async launch(ref: JobRef): Promise<void> {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(ref))
      .then(
        () => undefined,
        (err: unknown) => this.log('ERROR', 'job run failed', { ...ref, error: describeError(err) }),
      )
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

export interface ServeJobs {
  jobs: AsyncJobs;
  launcher: InProcessLauncher;
}

/**
 * `onnxless serve`'s asynchronous requests: the settings given (StartOptions.jobs) or the
 * environment's (ONNXLESS_JOBS_URI, ONNXLESS_WEBHOOK_HOSTS); none, none taken. `answer` is the
 * Router's, bound late: the Router is built with these jobs.
 */
export function serveJobs(
  answer: AnswerRequest,
  log: ServerLog,
  options: { settings?: JobsSettings; s3Client?: S3Client } = {},
): ServeJobs | undefined {
  const settings = options.settings ?? jobsSettingsFromEnv();
  if (!settings) return undefined;
  const store = options.s3Client
    ? new JobStore(new S3JobObjects(options.s3Client, requireS3Sdk(), settings.location))
    : s3JobStore(settings.location);
  let jobs: AsyncJobs | undefined = undefined;
  const launcher = new InProcessLauncher(async (ref) => jobs?.run(ref, answer), log);
  jobs = new AsyncJobs({
    store,
    launcher,
    webhooks: settings.webhooks,
    onWebhook: (ref, url, outcome) =>
      log(outcome.ok ? 'INFO' : 'WARN', 'job webhook called', { ...ref, host: new URL(url).host, ...outcome }),
  });
  return { jobs, launcher };
}
