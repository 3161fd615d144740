import { ENV } from '../../core/config/env';
import { modelRoutes } from '../../core/http/routeTable';
import type { JobsConfig } from '../../core/registry/jobs';
import type { Registry } from '../../core/registry/index';
import type { Cfn, DeploymentPlan, FunctionConfig, PlanContext } from './DeploymentPlan';
import { roleLogicalId } from './functionRole';
import { httpApiEvent } from './lambdaFunction';
import { LIVE_ALIAS } from './liveAlias';
import { pipelineCatalog } from './pipelineFunction';

/**
 * Asynchronous requests (`jobs:` in the registry) on each Lambda function of the plan: where it
 * keeps its jobs, its jobs' status route, the right to invoke its own `live` alias and to read and
 * write its own jobs prefix (nothing else of the bucket), and the on-failure destination of its
 * asynchronous invocations: that same alias, so a run that crashed or timed out is recorded as a
 * failed job (lib/lambda/lambdaJobs.ts) instead of staying pending.
 *
 * The destination goes through the framework's own `destinations` and `maximumRetryAttempts`
 * (Serverless Framework v3, functions: "destinations: onFailure", with `type` and `arn` for an
 * ARN built in CloudFormation), which osls compiles to an AWS::Lambda::EventInvokeConfig on the
 * function's `targetAlias` (liveAlias.ts), as AWS::Lambda::EventInvokeConfig's `Qualifier` and
 * `DestinationConfig.OnFailure.Destination` take them
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventinvokeconfig.html).
 * No retry: the handler answers every route error itself, so what fails a run is a crash or a
 * timeout, which a second attempt would meet again at the same cost.
 */
export function planAsyncJobs(
  registry: Pick<Registry, 'jobs' | 'bucket' | 'pipelines' | 'repositories'>,
  ctx: Pick<PlanContext, 'naming'>,
  plan: DeploymentPlan,
): void {
  const jobs = registry.jobs;
  if (!jobs) return;
  for (const [key, fn] of Object.entries(plan.functions)) {
    const pipeline = registry.pipelines?.[key];
    // The server function takes no requests a job could hold; a repository's function (models
    // found at request time, docs/repository.md) takes no jobs yet.
    if (!fn.events.some((e) => e.httpApi.path.startsWith('/v2/models/')) || registry.repositories?.[key]) continue;
    const models = pipeline ? Object.keys(pipelineCatalog(key, pipeline)) : [key];
    useJobs(key, fn, models, jobs, registry.bucket.name);
    addJobStatements(plan.resources[roleLogicalId(key, ctx)], jobStatements(registry.bucket.name, jobsPrefix(jobs, key), fn.name));
  }
}

/** The function's own jobs prefix in the bucket. */
export function jobsPrefix(jobs: JobsConfig, key: string): string {
  return `${jobs.prefix}${key}/`;
}

function useJobs(key: string, fn: FunctionConfig, models: string[], jobs: JobsConfig, bucket: string): void {
  fn.environment = {
    ...fn.environment,
    [ENV.jobsUri]: `s3://${bucket}/${jobsPrefix(jobs, key)}`,
    [ENV.jobsFunction]: `${fn.name}:${LIVE_ALIAS}`,
    ...(jobs.webhookHosts.length > 0 ? { [ENV.webhookHosts]: jobs.webhookHosts.join(',') } : {}),
  };
  // The status route of each model the function serves, behind the same authorizer as its other routes.
  const authorizer = fn.events[0]?.httpApi.authorizer;
  for (const model of models) {
    for (const route of modelRoutes(model, { versions: [], predict: false, jobs: true }).filter((r) => r.path.includes('/jobs/')))
      fn.events.push(httpApiEvent(route.method, route.path, authorizer));
  }
  fn.destinations = { onFailure: { type: 'function', arn: aliasArn(fn.name) } };
  fn.maximumRetryAttempts = 0;
}

function aliasArn(functionName: string): Cfn {
  return { 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${functionName}:${LIVE_ALIAS}` };
}

/** Read and write its jobs prefix's objects; invoke its own alias (the run, and the on-failure record). */
export function jobStatements(bucket: string, prefix: string, functionName: string): Cfn[] {
  return [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${bucket}/${prefix}*`]] }],
    },
    { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [aliasArn(functionName)] },
  ];
}

function addJobStatements(role: Cfn | undefined, statements: Cfn[]): void {
  const policies = (role?.Properties as { Policies?: Array<{ PolicyDocument: { Statement: unknown[] } }> } | undefined)?.Policies;
  if (!policies?.[0]) throw new Error('onnxless: a function with jobs has no role of its own to grant them');
  policies[0].PolicyDocument.Statement.push(...statements);
}
