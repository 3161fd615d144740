import { z } from 'zod';
import type { HttpRequest } from '../http/HttpTypes';
import { HEADER_LENGTH } from '../protocol/binaryTensor';

/**
 * A request taken asynchronously, as stored in S3 until it runs: what the route needs to answer
 * it again (the path, the query, the two headers that shape a body, the body's bytes in base64),
 * and where to tell when it is done. Never the caller's other headers: no credentials are stored.
 */
export const JobRequestSchema = z.strictObject({
  id: z.string(),
  model: z.string(),
  created: z.string(),
  path: z.string(),
  base: z.string().optional(),
  contentType: z.string().optional(),
  headerLength: z.string().optional(),
  query: z.record(z.string(), z.string()),
  webhook: z.string().optional(),
  body: z.string(),
});
export type JobRequest = z.infer<typeof JobRequestSchema>;

export function jobRequestOf(req: HttpRequest, job: { id: string; model: string; created: string; webhook?: string }): JobRequest {
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.query)) if (value !== undefined) query[name] = value;
  return {
    ...job,
    path: req.path,
    ...(req.base ? { base: req.base } : {}),
    ...(req.headers['content-type'] === undefined ? {} : { contentType: req.headers['content-type'] }),
    ...(req.headers[HEADER_LENGTH] === undefined ? {} : { headerLength: req.headers[HEADER_LENGTH] }),
    query,
    ...(job.webhook === undefined ? {} : { webhook: job.webhook }),
    body: req.body.toString('base64'),
  };
}

/** The stored request as the route takes it again: without `Prefer`, so it runs, and answers, synchronously. */
export function httpRequestOf(job: JobRequest): HttpRequest {
  const headers: Record<string, string> = {};
  if (job.contentType !== undefined) headers['content-type'] = job.contentType;
  if (job.headerLength !== undefined) headers[HEADER_LENGTH] = job.headerLength;
  return { method: 'POST', path: job.path, base: job.base ?? '', headers, query: job.query, body: Buffer.from(job.body, 'base64') };
}
