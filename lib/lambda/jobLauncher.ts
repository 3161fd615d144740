import { ConfigError, ENV, optionalString, type Env } from '../core/config/env';
import type { JobLauncher } from '../core/jobs/AsyncJobs';
import type { JobRef } from '../core/jobs/JobStatus';
import { runtimeRequire } from '../core/runtimeRequire';
import { s3RegionFromEnv } from '../core/sources/s3Environment';

type LambdaSdk = typeof import('@aws-sdk/client-lambda');

/** The payload of a job's asynchronous invoke: which job, nothing else (its request waits in S3). */
export interface JobEvent {
  onnxlessJob: JobRef;
}

/**
 * Starts a job by invoking this same function (its `live` alias, ONNXLESS_JOBS_FUNCTION
 * `name:alias`) with `InvocationType: Event`: Lambda queues the event, answers 202 at once, and
 * runs it with the function's own timeout, not API Gateway's 30 s
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html). A run that fails every
 * attempt goes to the on-failure destination the deploy declares: this function again, which
 * records the job as failed (lambdaJobs.ts). The SDK is the runtime's own, required on first use.
 */
export class LambdaEventLauncher implements JobLauncher {
  private client?: InstanceType<LambdaSdk['LambdaClient']>;
  private readonly sdk: () => LambdaSdk;

  constructor(
    private readonly target: { functionName: string; qualifier?: string },
    private readonly env: Env = process.env,
  ) {
    this.sdk = () => runtimeRequire('@aws-sdk/client-lambda') as LambdaSdk;
  }

  async launch(ref: JobRef): Promise<void> {
    const { LambdaClient, InvokeCommand } = this.sdk();
    this.client ??= new LambdaClient({ region: s3RegionFromEnv(this.env) });
    const payload: JobEvent = { onnxlessJob: ref };
    const out = await this.client.send(
      new InvokeCommand({
        FunctionName: this.target.functionName,
        ...(this.target.qualifier ? { Qualifier: this.target.qualifier } : {}),
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(payload)),
      }),
    );
    // An Event invoke is queued with 202; anything else did not queue it.
    if (out.StatusCode !== 202) throw new Error(`the asynchronous invoke of ${this.target.functionName} answered ${out.StatusCode}`);
  }
}

/** ONNXLESS_JOBS_FUNCTION (`name` or `name:alias`), else the function Lambda says this is (AWS_LAMBDA_FUNCTION_NAME). */
export function launcherFromEnv(env: Env = process.env): LambdaEventLauncher {
  const target = optionalString(ENV.jobsFunction, env) ?? optionalString(ENV.functionName, env);
  if (target === undefined) throw new ConfigError(`environment variable ${ENV.jobsFunction} is required where ${ENV.jobsUri} is set`);
  const [functionName = '', qualifier] = target.split(':');
  return new LambdaEventLauncher({ functionName, qualifier }, env);
}
