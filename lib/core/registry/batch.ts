import { z } from 'zod';
import { wholeNumber } from './fieldSchemas';
import { prefixInside, s3PrefixProblem, splitS3Prefix } from './s3Prefix';

/**
 * `batch:` on a model or pipeline entry: a Step Functions state machine whose Distributed Map runs
 * the model over every object under `input` and writes the answers under `output` (docs/batch.md;
 * lib/tools/deploy/batchStateMachine.ts). The limits are Distributed Map's own: up to 10,000 child
 * executions at once, a tolerated failure share of 0-100 %
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html).
 */
export { prefixInside, s3PrefixProblem, splitS3Prefix, type S3Prefix } from './s3Prefix';

export const BATCH_DEFAULTS = { concurrency: 100, itemsPerInvocation: 20, toleratedFailurePercent: 1 } as const;

const s3Prefix = z.string().check((ctx) => {
  const problem = s3PrefixProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

export const BatchJobSchema = z
  .strictObject({
    input: s3Prefix.describe('s3://bucket/prefix/ whose objects the job reads (the state machine may list and read only these).'),
    output: s3Prefix.describe(
      's3://bucket/prefix/ the answers go to, <output><key relative to input>.json (the state machine writes only here); not inside input.',
    ),
    concurrency: wholeNumber(1, 10_000, 'invocations')
      .default(BATCH_DEFAULTS.concurrency)
      .describe('Function invocations at once (Distributed Map MaxConcurrency, 1-10000); default 100.'),
    itemsPerInvocation: wholeNumber(1, 1_000, 'items')
      .default(BATCH_DEFAULTS.itemsPerInvocation)
      .describe(
        "Objects per invocation (ItemBatcher MaxItemsPerBatch, 1-1000); default 20. Each must finish within the function's timeout.",
      ),
    toleratedFailurePercent: z
      .number()
      .min(0, 'must be at least 0 %')
      .max(100, 'must be at most 100 %')
      .default(BATCH_DEFAULTS.toleratedFailurePercent)
      .describe('Share of failed items (in %) past which the job fails (ToleratedFailurePercentage); default 1.'),
  })
  .refine(
    (job) =>
      s3PrefixProblem(job.input) !== undefined ||
      s3PrefixProblem(job.output) !== undefined ||
      !prefixInside(splitS3Prefix(job.output), splitS3Prefix(job.input)),
    {
      message: 'output: inside the input prefix, the job would read its own answers as inputs; pick an output prefix outside it',
      path: ['output'],
    },
  );

export type BatchJob = z.output<typeof BatchJobSchema>;
