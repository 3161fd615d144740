import { S3Client } from '@aws-sdk/client-s3';
import type { Env } from '../config/env';
import { s3ClientConfig } from './s3ClientConfig';
import type { S3Timeouts } from './s3Timeouts';

export { S3_TIMEOUTS, type S3Timeouts } from './s3Timeouts';

/** The SDK's S3 client for the CLI, `serve` and the tests: see s3ClientConfig. */
export function createS3Client(env: Env = process.env, timeouts: S3Timeouts = {}): S3Client {
  return new S3Client(s3ClientConfig(env, timeouts));
}
