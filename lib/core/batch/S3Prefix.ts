import { prefixInside, s3PrefixProblem, splitS3Prefix, type S3Prefix } from '../registry/s3Prefix';
import { BatchInputError } from './errors';

export type { S3Prefix } from '../registry/s3Prefix';

/** A batch job's input or output prefix (registry/s3Prefix.ts says what one is); `what` names it in the error. */
export function parseS3Prefix(uri: string, what: string): S3Prefix {
  const problem = s3PrefixProblem(uri);
  if (problem) throw new BatchInputError(`${what}: ${problem}`);
  return splitS3Prefix(uri);
}

export function formatS3Prefix(p: S3Prefix): string {
  return `s3://${p.bucket}/${p.prefix}`;
}

/**
 * Refuses an output prefix inside the input prefix (or the same): the job would list its own
 * answers as inputs, and a rerun would answer them again, without end.
 */
export function assertOutputOutsideInput(input: S3Prefix, output: S3Prefix): void {
  if (prefixInside(output, input)) {
    throw new BatchInputError(
      `the output prefix ${formatS3Prefix(output)} is inside the input prefix ${formatS3Prefix(input)}: ` +
        'the job would read its own answers as inputs; pick an output prefix outside it',
    );
  }
}

/** `<output prefix><key relative to the input prefix>.json` */
export function outputKeyOf(input: S3Prefix, output: S3Prefix, key: string): string {
  if (!key.startsWith(input.prefix)) throw new BatchInputError(`item '${key}' is not under the input prefix ${formatS3Prefix(input)}`);
  return `${output.prefix}${key.slice(input.prefix.length)}.json`;
}

/** Where a job's summary goes: `<output prefix>_SUMMARY.json`. */
export function summaryKeyOf(output: S3Prefix): string {
  return `${output.prefix}_SUMMARY.json`;
}
