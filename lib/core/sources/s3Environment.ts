import { ENV, optionalString, type Env } from '../config/env';

/**
 * An S3-compatible server's URL, as the AWS SDK reads it: AWS_ENDPOINT_URL_S3, else
 * AWS_ENDPOINT_URL; undefined for S3 itself.
 */
export function s3EndpointFromEnv(env: Env = process.env): string | undefined {
  return optionalString(ENV.s3EndpointUrl, env) ?? optionalString(ENV.endpointUrl, env);
}

/** AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. */
export function s3RegionFromEnv(env: Env = process.env): string {
  return optionalString(ENV.region, env) ?? optionalString(ENV.defaultRegion, env) ?? 'us-east-1';
}
