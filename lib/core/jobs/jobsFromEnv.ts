import { ENV, ConfigError, optionalList, optionalString, type Env } from '../config/env';
import { parseS3Uri, s3UriProblem, type S3Location } from '../registry/s3Uri';
import { requireS3Sdk } from '../sources/requireS3Sdk';
import { s3ClientConfig } from '../sources/s3ClientConfig';
import { JobStore } from './JobStore';
import { S3JobObjects } from './S3JobObjects';
import { webhookPolicy, type WebhookPolicy } from './webhook';

/** Where a runtime keeps its jobs and which webhooks it calls; undefined where it takes no asynchronous requests. */
export interface JobsSettings {
  location: S3Location;
  webhooks: WebhookPolicy;
}

export function jobsSettingsFromEnv(env: Env = process.env): JobsSettings | undefined {
  const uri = optionalString(ENV.jobsUri, env);
  if (uri === undefined) return undefined;
  const problem = s3UriProblem(uri) ?? (uri.endsWith('/') ? undefined : "expected a prefix ending in '/'");
  if (problem) throw new ConfigError(`environment variable ${ENV.jobsUri}: ${problem}`);
  return { location: parseS3Uri(uri), webhooks: webhookPolicy(optionalList(ENV.webhookHosts, env)) };
}

/**
 * The jobs' store in S3 through the SDK's client (the environment's endpoint, region and
 * credentials), made on the first job: `require`d, not imported, since a Lambda bundle leaves the
 * SDK to the runtime's own (requireS3Sdk.ts), and a cold start that takes no job never loads it.
 */
export function s3JobStore(location: S3Location, env: Env = process.env): JobStore {
  let objects: S3JobObjects | undefined;
  const client = (): S3JobObjects => {
    if (!objects) {
      const sdk = requireS3Sdk();
      objects = new S3JobObjects(new sdk.S3Client(s3ClientConfig(env)), sdk, location);
    }
    return objects;
  };
  return new JobStore({
    where: `s3://${location.bucket}/${location.key}`,
    put: (key, body) => client().put(key, body),
    get: (key) => client().get(key),
  });
}
