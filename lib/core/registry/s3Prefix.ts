import { BUCKET_NAME_PATTERN } from './s3Uri';

// No zod here: the batch runtime inside every model function needs these, and zod's full build
// is ~470 KB of the handler bundle's load (registry/batch.ts keeps the registry's schema).

const PREFIX_URI = /^s3:\/\/([^/]+)\/(.*)$/;

/** `s3://bucket/prefix/`, split: the prefix keeps its trailing slash (empty: the whole bucket). */
export interface S3Prefix {
  readonly bucket: string;
  readonly prefix: string;
}

/**
 * Why `uri` is not a batch prefix, or undefined when it is. It must end in `/` (a folder): `data`
 * would also take `data2/...`, and the output keys are the input keys' remainder after it. No `*`
 * or `?`: the prefix ends up in IAM resources and conditions, where they are wildcards.
 */
export function s3PrefixProblem(uri: string): string | undefined {
  const match = PREFIX_URI.exec(uri);
  if (!match) return `expected s3://bucket/prefix/, got '${uri}'`;
  const [, bucket = '', prefix = ''] = match;
  if (!BUCKET_NAME_PATTERN.test(bucket)) return `'${bucket}' is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`;
  if (prefix !== '' && !prefix.endsWith('/')) return `the prefix must end in '/' (a folder), got '${uri}'`;
  if (/[*?]/.test(prefix)) return `the prefix must not contain '*' or '?' (IAM reads them as wildcards)`;
  if (prefix.startsWith('/') || prefix.includes('//')) return `'${uri}' has an empty path segment`;
  return undefined;
}

/** Splits a prefix s3PrefixProblem accepts (it throws a TypeError naming the problem otherwise). */
export function splitS3Prefix(uri: string): S3Prefix {
  const problem = s3PrefixProblem(uri);
  if (problem) throw new TypeError(problem);
  const match = PREFIX_URI.exec(uri) as RegExpExecArray;
  return { bucket: match[1] as string, prefix: match[2] as string };
}

/** Is `output` inside `input` (or the same)? A job would then read its own answers as inputs. */
export function prefixInside(inner: S3Prefix, outer: S3Prefix): boolean {
  return inner.bucket === outer.bucket && inner.prefix.startsWith(outer.prefix);
}
