import { JobRequestSchema, type JobRequest } from './JobRequest';
import { JobStatusSchema, type JobRef, type JobStatus } from './JobStatus';

/** The few object operations a job store needs; S3JobObjects is the one behind every runtime. */
export interface JobObjects {
  put(key: string, body: string): Promise<void>;
  /** The object's text, or undefined when there is none. */
  get(key: string): Promise<string | undefined>;
  /** Where the keys live, for messages: `s3://bucket/prefix/`. */
  readonly where: string;
}

/**
 * The jobs of one function under its prefix: `<model>/<id>/request.json` when a request is
 * accepted, `<model>/<id>/status.json` once its answer is written. A job with a request and no
 * status is pending: accepting one is a single PUT.
 */
export class JobStore {
  constructor(readonly objects: JobObjects) {}

  async saveRequest(request: JobRequest): Promise<void> {
    await this.objects.put(keyOf(request, 'request'), JSON.stringify(request));
  }

  async readRequest(ref: JobRef): Promise<JobRequest | undefined> {
    const text = await this.objects.get(keyOf(ref, 'request'));
    return text === undefined ? undefined : JobRequestSchema.parse(JSON.parse(text));
  }

  async saveStatus(status: JobStatus): Promise<void> {
    await this.objects.put(keyOf(status, 'status'), JSON.stringify(status));
  }

  /** The status written when the job ended; undefined while it has none. */
  async readEnded(ref: JobRef): Promise<JobStatus | undefined> {
    const text = await this.objects.get(keyOf(ref, 'status'));
    return text === undefined ? undefined : JobStatusSchema.parse(JSON.parse(text));
  }

  /** The job's status: written when it ended, `pending` while only its request is stored, undefined for no such job. */
  async readStatus(ref: JobRef): Promise<JobStatus | undefined> {
    const ended = await this.readEnded(ref);
    if (ended) return ended;
    const request = await this.readRequest(ref);
    return request === undefined ? undefined : { id: request.id, model: request.model, status: 'pending', created: request.created };
  }
}

function keyOf(ref: JobRef, object: 'request' | 'status'): string {
  return `${ref.model}/${ref.id}/${object}.json`;
}
