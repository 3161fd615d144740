import { z } from 'zod';

/**
 * `jobs:` in the registry: asynchronous requests (`Prefer: respond-async`, docs/api.md). Each
 * Lambda function keeps its jobs under `<prefix><function key>/` in the registry's bucket and may
 * read and write only there; webhooks go only to the hosts listed (none by default: every
 * webhook refused, so a caller cannot make the function POST to what only it can reach).
 */
export const JobsSchema = z.strictObject({
  prefix: z
    .string()
    .regex(
      /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/,
      "expected a key prefix such as 'jobs/': path segments of letters, digits, . _ -, ending in '/'",
    )
    .default('jobs/')
    .describe("Where in the bucket the jobs live (default 'jobs/'); each function's own under <prefix><function>/."),
  webhookHosts: z
    .array(z.string().regex(/^(\*|[a-z0-9.-]+(:\d{1,5})?)$/, "expected a host or host:port (lower case), or '*' for any"))
    .default([])
    .describe("The hosts (host or host:port) a request's Onnxless-Webhook may name; default none: webhooks refused. '*': any host."),
});
export type JobsConfig = z.output<typeof JobsSchema>;

export const JOBS_FIELD = JobsSchema.optional().describe(
  'Asynchronous requests: with it, POST /models/{m}/predict and /v2/models/{m}/infer with Prefer: respond-async answer 202 and a job (docs/api.md). { prefix?, webhookHosts? }. Default: off.',
);
