import { GetObjectCommand, HeadObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import {
  SourceAccessDeniedError,
  SourceNotFoundError,
  type ModelSource,
  type SourceBody,
  type SourceStat,
} from './ModelSource';

/** How long the S3 client waits before it gives up on a connection. */
export interface S3Timeouts {
  /** Connecting (TCP and TLS). */
  connectMs?: number;
  /**
   * A socket with no bytes moving, in either direction, for this long is destroyed: a stalled
   * body then fails (and the download resumes with a ranged GET) instead of hanging until
   * Lambda's timeout. Below 6 s, so the SDK arms it at once instead of 3 s into the request.
   */
  idleMs?: number;
}

export const S3_TIMEOUTS = Object.freeze({ connectMs: 3000, idleMs: 5000 });

/**
 * S3 client configured the standard way: region and credentials from the SDK's default chain;
 * `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) for an S3-compatible server, which then also
 * needs path-style addressing (local servers have no virtual-host DNS).
 */
export function createS3Client(
  env: Readonly<Record<string, string | undefined>> = process.env,
  timeouts: S3Timeouts = {},
): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  const config: S3ClientConfig = {
    requestHandler: {
      connectionTimeout: timeouts.connectMs ?? S3_TIMEOUTS.connectMs,
      socketTimeout: timeouts.idleMs ?? S3_TIMEOUTS.idleMs,
    },
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    // Some S3-compatible servers do not speak the SDK's default trailing checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
  }
  return new S3Client(config);
}

let sharedClient: S3Client | undefined;
/** One client per process: it keeps its connections warm across loads. */
export function defaultS3Client(): S3Client {
  sharedClient ??= createS3Client();
  return sharedClient;
}

export class S3ModelSource implements ModelSource {
  readonly uri: string;
  readonly description: string;

  constructor(
    readonly bucket: string,
    readonly key: string,
    private readonly client: S3Client = defaultS3Client(),
  ) {
    this.uri = `s3://${bucket}/${key}`;
    this.description = this.uri;
  }

  async stat(): Promise<SourceStat> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key }));
      return { size: head.ContentLength ?? 0, version: head.ETag ?? '' };
    } catch (err) {
      throw this.translate(err);
    }
  }

  async open(range?: { start: number; end: number }): Promise<SourceBody> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      const length = out.ContentLength ?? 0;
      const size = range ? totalFromContentRange(out.ContentRange) ?? length : length;
      return { stream: out.Body as Readable, length, size, version: out.ETag ?? '' };
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const name = (err as { name?: string }).name;
    if (status === 404 || name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound') {
      return new SourceNotFoundError(`object ${this.uri} does not exist`, { cause: err });
    }
    if (status === 403 || name === 'AccessDenied') {
      return new SourceAccessDeniedError(`access to ${this.uri} was denied`, { cause: err });
    }
    return err;
  }
}

function totalFromContentRange(contentRange: string | undefined): number | undefined {
  const total = contentRange?.split('/')[1];
  return total === undefined || total === '*' ? undefined : Number(total);
}
