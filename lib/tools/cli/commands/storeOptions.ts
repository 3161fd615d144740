import type { Command } from 'commander';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Env } from '../../../core/config/env';
import { createS3Client } from '../../../core/sources/s3Client';
import { s3EndpointFromEnv } from '../../../core/sources/s3Environment';
import { localS3Env } from '../../local/localStack';

export interface StoreOptions {
  config: string;
  local?: boolean;
  stage?: string;
}

/** Options shared by the commands that read the registry and talk to the model bucket. */
export function withStoreOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', 'the serverless.yml holding the registry', 'serverless.yml')
    .option('--stage <stage>', 'stage used to resolve ${sls:stage} in the registry')
    .option('--local', 'use the local stack of `npm start` (its S3 server on 127.0.0.1) instead of AWS');
}

/** The environment the SDK should see: the process's own, or the local stack's. */
export function storeEnv(options: StoreOptions): Env {
  return options.local ? { ...process.env, ...localS3Env() } : process.env;
}

export function storeClient(options: StoreOptions): { client: S3Client; endpoint: string } {
  const env = storeEnv(options);
  if (options.local) Object.assign(process.env, localS3Env()); // credentials come from the default chain
  return { client: createS3Client(env), endpoint: s3EndpointFromEnv(env) ?? 'AWS S3' };
}
