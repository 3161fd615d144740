import { vi } from 'vitest';
import { TEST_CREDENTIALS } from '../../support/localS3';

/** A batch's S3 client reads its endpoint, keys and region from the environment, as on Lambda: the test's S3 server's. */
export function stubBatchS3Env(endpoint: string): void {
  vi.stubEnv('AWS_ENDPOINT_URL_S3', endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_REGION', 'us-east-1');
}
