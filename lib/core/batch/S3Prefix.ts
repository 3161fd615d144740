import { BUCKET_NAME_PATTERN } from '../registry/s3Uri';
import { BatchInputError } from './errors';

/** `s3://bucket/some/prefix/`, split: the prefix keeps its trailing slash (empty: the whole bucket). */
export interface S3Prefix {
  readonly bucket: string;
  readonly prefix: string;
}

const PREFIX_URI = /^s3:\/\/([^/]+)\/(.*)$/;

/**
 * A batch job's input or output prefix. It must end in `/` (a folder): `data` would also take
 * `data2/...`, and the output keys are the input keys' remainder after it. No `*` or `?`: the
 * prefix ends up in IAM resources and conditions, where they are wildcards.
 */
export function parseS3Prefix(uri: string, what: string): S3Prefix {
  const match = PREFIX_URI.exec(uri);
  if (!match) throw new BatchInputError(`${what}: expected s3://bucket/prefix/, got '${uri}'`);
  const [, bucket = '', prefix = ''] = match;
  if (!BUCKET_NAME_PATTERN.test(bucket))
    throw new BatchInputError(`${what}: '${bucket}' is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`);
  if (prefix !== '' && !prefix.endsWith('/')) throw new BatchInputError(`${what}: the prefix must end in '/' (a folder), got '${uri}'`);
  if (/[*?]/.test(prefix)) throw new BatchInputError(`${what}: the prefix must not contain '*' or '?' (IAM reads them as wildcards)`);
  if (prefix.startsWith('/') || prefix.includes('//')) throw new BatchInputError(`${what}: '${uri}' has an empty path segment`);
  return { bucket, prefix };
}

export function formatS3Prefix(p: S3Prefix): string {
  return `s3://${p.bucket}/${p.prefix}`;
}

/**
 * Refuses an output prefix inside the input prefix (or the same): the job would list its own
 * answers as inputs, and a rerun would answer them again, without end.
 */
export function assertOutputOutsideInput(input: S3Prefix, output: S3Prefix): void {
  if (input.bucket === output.bucket && output.prefix.startsWith(input.prefix)) {
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
