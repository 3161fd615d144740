import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

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

