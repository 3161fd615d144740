/** `s3://bucket/key`, split. Keys are kept verbatim (no URL decoding): S3 keys are plain strings. */
export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

// S3 general-purpose bucket naming rules: 3-63 characters, lowercase letters, digits, dots, hyphens.
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

/**
 * Why `uri` is not a usable weights location, or undefined when it is: an object (`.../model.onnx`)
 * or a model directory (a prefix ending in `/`, holding model.onnx and a manifest). Wildcards are refused
 * because the key ends up verbatim in an IAM resource ARN, where `*` and `?` would widen the
 * grant beyond the one object.
 */
export function s3UriProblem(uri: string): string | undefined {
  const match = S3_URI.exec(uri);
  if (!match) return `expected s3://bucket/key, got '${uri}'`;
  const [, bucket = '', key = ''] = match;
  if (!BUCKET_NAME_PATTERN.test(bucket)) {
    return `bucket '${bucket}' is not a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`;
  }
  if (/[*?]/.test(key)) return `key '${key}' must not contain '*' or '?' (IAM would read them as wildcards)`;
  if (key === '/' || key.includes('//')) return `key '${key}' has an empty path segment`;
  if (Buffer.byteLength(key) > 1024) return 'key is longer than 1024 bytes';
  return undefined;
}

export function parseS3Uri(uri: string): S3Location {
  const problem = s3UriProblem(uri);
  if (problem) throw new TypeError(problem);
  const match = S3_URI.exec(uri) as RegExpExecArray;
  return { bucket: match[1] as string, key: match[2] as string };
}

/**
 * The IAM resource (after `arn:<partition>:s3:::`) a function needs to read its model: the one
 * object, or every object under a model directory's prefix (`bucket/<model>/<version>/*`).
 * Keys never hold `*` or `?` (s3UriProblem), so the only wildcard is the one added here.
 */
export function modelObjectsResource(location: S3Location): string {
  return `${location.bucket}/${location.key}${location.key.endsWith('/') ? '*' : ''}`;
}
