import path from 'node:path';
import { ENV, optionalString, type Env } from '../../core/config/env';
import { localStackSettings } from './localStack';

/**
 * What the emulated functions of a local stack get beyond their deployed configuration.
 * serverless-offline passes only AWS_* variables of its own process to a handler, and then the
 * function's `environment`: so these go into each function's environment at offline time.
 */
export function emulatedFunctionSettings(serviceDir: string, env: Env = process.env) {
  const stack = localStackSettings(env);
  const logFormat = optionalString(ENV.logFormat, env);
  return {
    /**
     * This stack's weights cache, not the Lambda default /tmp/onnxless that every checkout would
     * share. NODE_PATH: the bundles leave onnxruntime-node and sharp to the layers, found through
     * NODE_PATH on Lambda (/opt/nodejs/node_modules); here they come from the service's node_modules.
     */
    environment: {
      [ENV.cacheDir]: stack.cacheDir,
      // A job's run is an Event invoke of the function itself (lib/lambda/jobLauncher.ts): here
      // serverless-offline's Lambda endpoint, which runs it after answering 202, as Lambda does.
      [ENV.lambdaEndpointUrl]: `http://localhost:${stack.lambdaPort}`,
      ...(logFormat ? { [ENV.logFormat]: logFormat } : {}),
      NODE_PATH: path.join(serviceDir, 'node_modules'),
    },
    /**
     * serverless-esbuild's work folder, relative to the service: the stack's own, so that
     * `serverless package` (which deletes .esbuild when done) never removes the build it serves.
     */
    esbuildWorkFolder: path.relative(serviceDir, stack.buildDir),
  };
}
