import { join, resolve } from 'node:path';
import { ENV, optionalPort, optionalString, type Env } from '../../core/config/env';

/**
 * Everything the local stack writes lives in the project's `.local/` by default (git-ignored; the
 * project is the folder the command runs in); tests point it elsewhere.
 */
const DEFAULT_LOCAL_DIR = '.local';

/**
 * Facts of one local stack (`npm start`): where its S3-protocol server and the API emulator
 * listen, where it keeps its data, weights cache and function build, and the environment that
 * points the SDK and the handlers at it. Each setting names the variable that changes it.
 */
export function localStackSettings(env: Env = process.env) {
  const dir = resolve(optionalString(ENV.localDir, env) ?? DEFAULT_LOCAL_DIR);
  return Object.freeze({
    dir,
    s3Port: optionalPort(ENV.localS3Port, 4569, env),
    httpPort: optionalPort(ENV.localHttpPort, 3000, env),
    /** serverless-offline's own Lambda-invoke endpoint. */
    lambdaPort: optionalPort(ENV.localLambdaPort, 3002, env),
    dataDir: join(dir, 's3'),
    /** The emulated functions' weights cache: this stack's own, never another checkout's /tmp/onnxless. */
    cacheDir: optionalString(ENV.cacheDir, env) ?? join(dir, 'cache'),
    /** The emulated functions' bundles: not .esbuild, which `serverless package` deletes when done. */
    buildDir: join(dir, 'build'),
    /** Held while a stack runs from this folder: the pid of its `npm start`. */
    lockFile: join(dir, 'stack.lock'),
    modelsDir: join(dir, 'models'),
    // s3rver accepts exactly these; they are not secrets.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
  });
}

export type LocalStackSettings = ReturnType<typeof localStackSettings>;

/** This process's local stack, from its environment. */
export const LOCAL_STACK = localStackSettings();

/** The variable that moves each port, for messages that say what to change. */
export const PORT_VARIABLES = Object.freeze({ s3Port: ENV.localS3Port, httpPort: ENV.localHttpPort, lambdaPort: ENV.localLambdaPort });

export function localS3Endpoint(stack: LocalStackSettings = LOCAL_STACK): string {
  return `http://127.0.0.1:${stack.s3Port}`;
}

/** Environment that sends every S3 call of the SDK (CLI, handlers) to the local server. */
export function localS3Env(stack: LocalStackSettings = LOCAL_STACK): Record<string, string> {
  return {
    [ENV.s3EndpointUrl]: localS3Endpoint(stack),
    [ENV.accessKeyId]: stack.accessKeyId,
    [ENV.secretAccessKey]: stack.secretAccessKey,
    [ENV.region]: stack.region,
  };
}
