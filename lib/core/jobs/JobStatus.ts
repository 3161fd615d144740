// zod/mini with named imports: every model function loads this (zod's full build is ~470 KB of its bundle).
import { enum as enumOf, optional, strictObject, string, unknown, type infer as Infer } from 'zod/mini';

/** A job's state: `pending` until its answer is written, then `succeeded` or `failed` for good. */
export const JOB_STATES = ['pending', 'succeeded', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * What GET of a job answers, and what a webhook receives: the route's answer as `result` when it
 * succeeded, its `{"error"}` message when it failed.
 */
export const JobStatusSchema = strictObject({
  id: string(),
  model: string(),
  status: enumOf(JOB_STATES),
  /** ISO 8601 times: when the request was accepted, and when its answer was written. */
  created: string(),
  finished: optional(string()),
  result: optional(unknown()),
  error: optional(string()),
});
export type JobStatus = Infer<typeof JobStatusSchema>;

/** Which job: the model whose route took it, and its id. The payload of the asynchronous invoke. */
export interface JobRef {
  model: string;
  id: string;
}
