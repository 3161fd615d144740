import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { S3_TIMEOUTS, type S3Timeouts } from './s3Timeouts';

/**
 * S3 client configured the standard way: region and credentials from the SDK's default chain;
 * `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) for an S3-compatible server, which then also
 * needs path-style addressing (local servers have no virtual-host DNS). A file of its own with
 * no value import of the SDK, so a bundle that may never need the SDK can still name this.
 */
export function s3ClientConfig(env: Readonly<Record<string, string | undefined>> = process.env, timeouts: S3Timeouts = {}): S3ClientConfig {
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
  return config;
}
