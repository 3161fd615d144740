import { createRequire } from 'node:module';

export type S3Sdk = typeof import('@aws-sdk/client-s3');

/**
 * `require`, not `import()`: in a Lambda bundle that leaves the SDK out, the SDK is the one Lambda's
 * Node runtime carries in /var/runtime/node_modules, which only CommonJS resolution finds (through
 * NODE_PATH, https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime);
 * `import()` ignores NODE_PATH. Under ESM (tsx, vitest) the lookup starts from this file.
 */
const load = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

export function requireS3Sdk(): S3Sdk {
  return load('@aws-sdk/client-s3') as S3Sdk;
}
