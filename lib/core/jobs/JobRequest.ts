// zod/mini with named imports: every model function loads this (zod's full build is ~470 KB of its bundle).
import { optional, record, strictObject, string, type infer as Infer } from 'zod/mini';
import type { HttpRequest } from '../http/HttpTypes';
import { HEADER_LENGTH } from '../protocol/binaryTensor';

/**
 * A request taken asynchronously, as stored in S3 until it runs: what the route needs to answer
 * it again (the path, the query, the two headers that shape a body, the body's bytes in base64),
 * and where to tell when it is done. Never the caller's other headers: no credentials are stored.
 */
export const JobRequestSchema = strictObject({
  id: string(),
  model: string(),
  created: string(),
  path: string(),
  base: optional(string()),
  contentType: optional(string()),
  headerLength: optional(string()),
  query: record(string(), string()),
  webhook: optional(string()),
  body: string(),
});
export type JobRequest = Infer<typeof JobRequestSchema>;

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
