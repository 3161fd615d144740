import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Everything the local stack writes lives here (git-ignored); tests point it elsewhere.
const localDir = process.env.ONNXLESS_LOCAL_DIR ?? fileURLToPath(new URL('../../.local', import.meta.url));

/**
 * Fixed facts of the local stack (`npm start`): where its S3-protocol server listens and
 * keeps its data, and the environment that points the SDK and the handlers at it.
 */
export const LOCAL_STACK = Object.freeze({
  s3Port: Number(process.env.ONNXLESS_LOCAL_S3_PORT ?? 4569),
  httpPort: Number(process.env.ONNXLESS_LOCAL_HTTP_PORT ?? 3000),
  /** serverless-offline's own Lambda-invoke endpoint. */
  lambdaPort: Number(process.env.ONNXLESS_LOCAL_LAMBDA_PORT ?? 3002),
  dataDir: join(localDir, 's3'),
  cacheDir: join(localDir, 'cache'),
  modelsDir: join(localDir, 'models'),
  // s3rver accepts exactly these; they are not secrets.
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  region: 'us-east-1',
});

export function localS3Endpoint(): string {
  return `http://127.0.0.1:${LOCAL_STACK.s3Port}`;
}

/** Environment that sends every S3 call of the SDK (CLI, handlers) to the local server. */
export function localS3Env(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: localS3Endpoint(),
    AWS_ACCESS_KEY_ID: LOCAL_STACK.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_STACK.secretAccessKey,
    AWS_REGION: LOCAL_STACK.region,
  };
}
