import { NotFoundError, OnnxlessError, toPublicError } from '../errors';
import { jsonResponse, mediaType, type HttpRequest, type HttpResponse } from '../http/HttpTypes';
import { checkJobId, newJobId } from './jobId';
import { httpRequestOf, jobRequestOf } from './JobRequest';
import type { JobRef, JobStatus } from './JobStatus';
import type { JobStore } from './JobStore';
import { RESPOND_ASYNC } from './prefer';
import { WEBHOOK_HEADER, callWebhook, checkWebhook, type WebhookOutcome, type WebhookPolicy } from './webhook';

/** Starts a stored job's run: Lambda's `Event` invoke of the function itself, or in process on serve. */
export interface JobLauncher {
  launch(ref: JobRef): Promise<void>;
}

/** Runs a request through the routes, synchronously: the Router's `handle`. */
export type AnswerRequest = (req: HttpRequest) => Promise<HttpResponse>;

export interface AsyncJobsOptions {
  store: JobStore;
  launcher: JobLauncher;
  webhooks: WebhookPolicy;
  /** Told each webhook call's outcome (the adapters log it). */
  onWebhook?: (ref: JobRef, url: string, outcome: WebhookOutcome) => void;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** The route path of a job's status, under the model's own path: the function that took the job answers it. */
export function jobPath(ref: JobRef): string {
  return `/models/${encodeURIComponent(ref.model)}/jobs/${ref.id}`;
}

/**
 * Asynchronous requests (`Prefer: respond-async`, RFC 7240 4.1): the request is stored, its run
 * launched, and the caller answered 202 with the job's URL; the run answers the stored request
 * through the same routes, writes the answer as the job's status and calls the job's webhook.
 * The same on every runtime: only the store's client and the launcher differ.
 */
export class AsyncJobs {
  private readonly now: () => Date;

  constructor(private readonly options: AsyncJobsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** 202 with the job's id and `Location`; the body size and the model are checked by the route before. */
  async submit(req: HttpRequest, model: string): Promise<HttpResponse> {
    const header = req.headers[WEBHOOK_HEADER];
    const webhook = header === undefined ? undefined : checkWebhook(header, this.options.webhooks);
    const ref = { model, id: newJobId() };
    const created = this.now().toISOString();
    await this.options.store.saveRequest(jobRequestOf(req, { ...ref, created, ...(webhook ? { webhook } : {}) }));
    try {
      await this.options.launcher.launch(ref);
    } catch (err) {
      // Never started: the job says so instead of staying pending for good.
      await this.options.store.saveStatus({
        ...ref,
        status: 'failed',
        created,
        finished: this.now().toISOString(),
        error: 'the job could not be started',
      });
      throw new OnnxlessError(503, `the job could not be started; try again`, {
        cause: err,
        expose: true,
        headers: { 'retry-after': '1' },
      });
    }
    const location = `${req.base ?? ''}${jobPath(ref)}`;
    return jsonResponse(202, { id: ref.id, status: 'pending' }, { location, 'preference-applied': RESPOND_ASYNC });
  }

  /** The job's status: 200 whatever its state; 404 for no such job of this model, 400 for a malformed id. */
  async status(model: string, id: string): Promise<HttpResponse> {
    const ref = { model, id: checkJobId(id) };
    const status = await this.options.store.readStatus(ref);
    if (!status) throw new NotFoundError(`model '${model}' has no job '${id}'`);
    return jsonResponse(200, status);
  }

  /**
   * Runs a stored job through `answer` and writes its status: the route's 200 JSON as `result`,
   * any other answer as `failed` with its error. A job already ended is not run again (Lambda
   * delivers an asynchronous event at least once).
   */
  async run(ref: JobRef, answer: AnswerRequest): Promise<JobStatus | undefined> {
    const request = await this.options.store.readRequest(ref);
    if (!request) return undefined;
    const done = await this.options.store.readEnded(ref);
    if (done) return done;
    let res: HttpResponse;
    try {
      res = await answer(httpRequestOf(request));
    } catch (err) {
      // The Router answers its own errors; this is what escaped it, answered as the route would.
      const { status, message } = toPublicError(err);
      res = jsonResponse(status, { error: message });
    }
    const outcome = outcomeOf(res);
    const status: JobStatus = { id: ref.id, model: ref.model, created: request.created, finished: this.now().toISOString(), ...outcome };
    await this.finish(status, request.webhook);
    return status;
  }

  /**
   * Records a job whose run never wrote its status (Lambda gave up on it: the function crashed or
   * timed out, and the on-failure destination delivered the event back): `failed` with why.
   */
  async fail(ref: JobRef, error: string): Promise<JobStatus | undefined> {
    const request = await this.options.store.readRequest(ref);
    if (!request) return undefined;
    const done = await this.options.store.readEnded(ref);
    if (done) return done;
    const status: JobStatus = { ...ref, status: 'failed', created: request.created, finished: this.now().toISOString(), error };
    await this.finish(status, request.webhook);
    return status;
  }

  /** The status is written first: the webhook's receiver can GET the job and read the same. */
  private async finish(status: JobStatus, webhook: string | undefined): Promise<void> {
    await this.options.store.saveStatus(status);
    if (webhook === undefined) return;
    const outcome = await callWebhook(webhook, status, this.options.fetch);
    this.options.onWebhook?.({ model: status.model, id: status.id }, webhook, outcome);
  }
}

/** A route's answer as a job's outcome; a binary OIP answer has no JSON to store. */
function outcomeOf(res: HttpResponse): Pick<JobStatus, 'status' | 'result' | 'error'> {
  const text = Buffer.isBuffer(res.body) ? undefined : res.body;
  const json = mediaType({ 'content-type': res.headers['content-type'] }) === 'application/json' && text !== undefined;
  if (res.status >= 200 && res.status < 300) {
    if (!json) return { status: 'failed', error: 'the answer is binary tensor data, which a job cannot hold: ask for JSON outputs' };
    return { status: 'succeeded', result: JSON.parse(text) as unknown };
  }
  const error = json ? (JSON.parse(text) as { error?: unknown }).error : undefined;
  return { status: 'failed', error: typeof error === 'string' ? error : `the route answered ${res.status}` };
}
