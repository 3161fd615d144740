import { ENV, optionalString, type Env } from '../config/env';
import { s3EndpointFromEnv, s3RegionFromEnv } from './s3Environment';
import type { S3Reader } from './S3Reader';
import { SignedS3Reader } from './SignedS3Reader';

/**
 * The signed reader where the environment holds the credentials and nothing asks for what only
 * the SDK does (FIPS or dual-stack endpoints, or `ONNXLESS_S3_CLIENT=sdk`); undefined otherwise.
 */
export function signedReaderFromEnv(env: Env = process.env): SignedS3Reader | undefined {
  if (optionalString(ENV.accessKeyId, env) === undefined || optionalString(ENV.secretAccessKey, env) === undefined) return undefined;
  if (optionalString(ENV.s3Client, env) === 'sdk' || isTrue(ENV.useFipsEndpoint, env) || isTrue(ENV.useDualstackEndpoint, env))
    return undefined;
  return new SignedS3Reader({
    region: s3RegionFromEnv(env),
    endpoint: s3EndpointFromEnv(env),
    credentials: () => ({
      accessKeyId: optionalString(ENV.accessKeyId, env) ?? '',
      secretAccessKey: optionalString(ENV.secretAccessKey, env) ?? '',
      sessionToken: optionalString(ENV.sessionToken, env),
    }),
  });
}

let shared: Promise<S3Reader> | undefined;

/**
 * One reader per process (its connections stay warm across loads): the signed one when the
 * environment allows, else the SDK's client with its whole credential chain (a profile, SSO,
 * a container's or an instance's role). The SDK is imported only then: a Lambda bundle leaves
 * it out (serverless.yml), and Lambda's Node runtimes carry SDK v3 for the case that needs it
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-nodejs.html).
 */
export function defaultS3Reader(): Promise<S3Reader> {
  shared ??= (async () => {
    const signed = signedReaderFromEnv();
    if (signed) return signed;
    // A bundle that leaves the SDK out resolves it only here, through NODE_PATH (requireS3Sdk.ts).
    const [{ SdkS3Reader }, { requireS3Sdk }, { s3ClientConfig }] = await Promise.all([
      import('./SdkS3Reader'),
      import('./requireS3Sdk'),
      import('./s3ClientConfig'),
    ]);
    const sdk = requireS3Sdk();
    return new SdkS3Reader(new sdk.S3Client(s3ClientConfig()), sdk);
  })().catch((err: unknown) => {
    // No SDK to be found now is said on every load that needs it, not cached as the answer.
    shared = undefined;
    throw err;
  });
  return shared;
}

function isTrue(name: string, env: Env): boolean {
  return optionalString(name, env)?.toLowerCase() === 'true';
}
