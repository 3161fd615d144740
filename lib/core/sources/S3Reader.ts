import { NamedError } from '../errors';
import type { Readable } from 'node:stream';

/** What HEAD says about an object. */
export interface S3Head {
  size: number;
  etag: string;
}

/** A GET's answer: the body still streaming. */
export interface S3Get {
  stream: Readable;
  /** Content-Length of this body. */
  length: number;
  /** `bytes a-b/total` for a ranged GET. */
  contentRange?: string;
  etag: string;
}

/**
 * The two S3 calls a model load makes. Two transports implement it: the AWS SDK's client
 * (SdkS3Reader: the CLI, `serve`, any credential source) and a signed GET over node:https
 * (SignedS3Reader: Lambda, where the SDK's own load would be most of a cold start).
 */
export interface S3Reader {
  head(bucket: string, key: string): Promise<S3Head>;
  get(bucket: string, key: string, range?: { start: number; end: number }, signal?: AbortSignal): Promise<S3Get>;
}

/**
 * An S3 error answer, shaped as the SDK's service errors are where callers look: `name` is S3's
 * error code, `$metadata.httpStatusCode` the status.
 */
export class S3RequestError extends NamedError {
  readonly $metadata: { httpStatusCode: number; requestId?: string };

  constructor(status: number, code: string, message: string, requestId?: string) {
    super(message || `S3 answered ${status} ${code}`);
    this.name = code || `Http${status}`;
    this.$metadata = { httpStatusCode: status, requestId };
  }
}

/**
 * The HTTP status of a failed S3 call, from either transport (the SDK's service errors and
 * S3RequestError both carry `$metadata.httpStatusCode`); undefined for a failure with no answer.
 */
export function s3StatusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
