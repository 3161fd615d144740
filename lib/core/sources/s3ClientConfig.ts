import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { Env } from '../config/env';
import { s3EndpointFromEnv, s3RegionFromEnv } from './s3Environment';
import { S3_TIMEOUTS, type S3Timeouts } from './s3Timeouts';

/**
 * S3 client configured the standard way: region and credentials from the SDK's default chain;
 * `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) for an S3-compatible server, which then also
 * needs path-style addressing (local servers have no virtual-host DNS). A file of its own with
 * no value import of the SDK, so a bundle that may never need the SDK can still name this.
 */
export function s3ClientConfig(env: Env = process.env, timeouts: S3Timeouts = {}): S3ClientConfig {
  const endpoint = s3EndpointFromEnv(env);
  const config: S3ClientConfig = {
    requestHandler: {
      connectionTimeout: timeouts.connectMs ?? S3_TIMEOUTS.connectMs,
      socketTimeout: timeouts.idleMs ?? S3_TIMEOUTS.idleMs,
    },
    region: s3RegionFromEnv(env),
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
