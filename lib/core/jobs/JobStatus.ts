import { z } from 'zod';

/** A job's state: `pending` until its answer is written, then `succeeded` or `failed` for good. */
export const JOB_STATES = ['pending', 'succeeded', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * What GET of a job answers, and what a webhook receives: the route's answer as `result` when it
 * succeeded, its `{"error"}` message when it failed.
 */
export const JobStatusSchema = z.strictObject({
  id: z.string(),
  model: z.string(),
  status: z.enum(JOB_STATES),
  /** ISO 8601 times: when the request was accepted, and when its answer was written. */
  created: z.string(),
  finished: z.string().optional(),
  result: z.unknown().optional(),
  error: z.string().optional(),
});
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** Which job: the model whose route took it, and its id. The payload of the asynchronous invoke. */
export interface JobRef {
  model: string;
  id: string;
}
