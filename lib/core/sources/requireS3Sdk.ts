import { runtimeRequire } from '../runtimeRequire';

export type S3Sdk = typeof import('@aws-sdk/client-s3');

/**
 * `require`, not `import()`: in a Lambda bundle that leaves the SDK out, the SDK is the one Lambda's
 * Node runtime carries in /var/runtime/node_modules, which only CommonJS resolution finds
 * (through NODE_PATH: runtimeRequire).
 */
export function requireS3Sdk(): S3Sdk {
  return runtimeRequire('@aws-sdk/client-s3') as S3Sdk;
}
