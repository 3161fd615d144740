import { describe, expect, it } from 'vitest';
import { parseRegistry, RegistryError } from '../../../lib/core/registry/index';
import type { Cfn } from '../../../lib/tools/deploy/DeploymentPlan';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { PLAN_CONTEXT } from './planContext';

const registry = (jobs?: unknown) =>
  parseRegistry({
    bucket: { name: 'models', create: false },
    ...(jobs === undefined ? {} : { jobs }),
    models: {
      tiny: { weights: 's3://models/tiny/1/' },
      vad: { weights: 's3://models/vad/1/', handler: 'handlers/voice-activity.handler' },
      ocr: {
        kind: 'pipeline',
        handler: 'handlers/ocr.handler',
        models: { detection: { weights: 's3://models/det/1/' }, recognition: { weights: 's3://models/rec/1/' } },
      },
    },
  });

function statements(plan: ReturnType<typeof planDeployment>, key: string): Cfn[] {
  const role = plan.resources[`${key}OnnxlessRole`] as { Properties: { Policies: Array<{ PolicyDocument: { Statement: Cfn[] } }> } };
  return role.Properties.Policies[0]!.PolicyDocument.Statement;
}

describe('jobs: in the registry (asynchronous requests)', () => {
  it('changes nothing where the registry has no jobs', () => {
    const plan = planDeployment(registry(), PLAN_CONTEXT);
    for (const fn of Object.values(plan.functions)) {
      expect(fn.environment.ONNXLESS_JOBS_URI).toBeUndefined();
      expect(fn.destinations).toBeUndefined();
      expect(fn.events.map((e) => e.httpApi.path).filter((p) => p.includes('/jobs/'))).toEqual([]);
    }
  });

  it("gives each model function its own jobs prefix, its alias to invoke, and its models' status routes", () => {
    const plan = planDeployment(registry({}), PLAN_CONTEXT);
    const { tiny, vad, ocr, server } = plan.functions;
    expect(tiny!.environment).toMatchObject({
      ONNXLESS_JOBS_URI: 's3://models/jobs/tiny/',
      ONNXLESS_JOBS_FUNCTION: 'onnxless-dev-tiny:live',
    });
    expect(tiny!.environment.ONNXLESS_WEBHOOK_HOSTS).toBeUndefined();
    expect(vad!.environment.ONNXLESS_JOBS_URI).toBe('s3://models/jobs/vad/');
    expect(ocr!.environment.ONNXLESS_JOBS_URI).toBe('s3://models/jobs/ocr/');
    const jobRoutes = (fn: typeof tiny) =>
      fn!.events.map((e) => `${e.httpApi.method} ${e.httpApi.path}`).filter((r) => r.includes('/jobs/'));
    expect(jobRoutes(tiny)).toEqual(['GET /models/tiny/jobs/{job}']);
    expect(jobRoutes(ocr)).toEqual([
      'GET /models/ocr/jobs/{job}',
      'GET /models/ocr-detection/jobs/{job}',
      'GET /models/ocr-recognition/jobs/{job}',
    ]);
    // Behind the API's authorizer, as every other model route (auth defaults to IAM).
    expect(tiny!.events.find((e) => e.httpApi.path.includes('/jobs/'))?.httpApi.authorizer).toEqual({ type: 'aws_iam' });
    expect(server!.environment.ONNXLESS_JOBS_URI).toBeUndefined();
    expect(jobRoutes(server)).toEqual([]);
  });

  it('sends failed asynchronous invocations to the function’s own alias, with no retry', () => {
    const plan = planDeployment(registry({}), PLAN_CONTEXT);
    expect(plan.functions.vad!.destinations).toEqual({
      onFailure: {
        type: 'function',
        arn: { 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:onnxless-dev-vad:live' },
      },
    });
    expect(plan.functions.vad!.maximumRetryAttempts).toBe(0);
  });

  it('lets a role read and write only its own jobs prefix and invoke only its own alias', () => {
    const plan = planDeployment(registry({ prefix: 'async/jobs/' }), PLAN_CONTEXT);
    for (const key of ['tiny', 'vad', 'ocr']) {
      const added = statements(plan, key).filter((s) => JSON.stringify(s).includes('jobs') || JSON.stringify(s).includes('lambda:'));
      expect(added).toEqual([
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::models/async/jobs/${key}/*`]] }],
        },
        {
          Effect: 'Allow',
          Action: ['lambda:InvokeFunction'],
          Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:onnxless-dev-${key}:live` }],
        },
      ]);
    }
    // No wildcard anywhere but at the end of a prefix; nothing bucket-wide, no other function.
    const all = JSON.stringify(Object.values(plan.resources));
    expect(all).not.toMatch(/:s3:::models\/\*|:s3:::models"|function:\*|s3:ListBucket|s3:\*/);
    expect(statements(plan, 'server').some((s) => JSON.stringify(s).includes('jobs'))).toBe(false);
  });

  it('leaves a repository function (models found at request time) without jobs', () => {
    const plan = planDeployment(
      parseRegistry({
        bucket: { name: 'models', create: false },
        jobs: {},
        models: { tiny: { weights: 's3://models/tiny/1/' }, customers: { kind: 'repository', prefix: 's3://models/customers/' } },
      }),
      PLAN_CONTEXT,
    );
    expect(plan.functions.tiny!.environment.ONNXLESS_JOBS_URI).toBe('s3://models/jobs/tiny/');
    expect(plan.functions.customers!.environment.ONNXLESS_JOBS_URI).toBeUndefined();
    expect(plan.functions.customers!.destinations).toBeUndefined();
  });

  it('lists the webhook hosts the registry allows, none by default', () => {
    const plan = planDeployment(registry({ webhookHosts: ['hooks.example.com', 'ci.example.org:8443'] }), PLAN_CONTEXT);
    expect(plan.functions.tiny!.environment.ONNXLESS_WEBHOOK_HOSTS).toBe('hooks.example.com,ci.example.org:8443');
  });

  it('refuses a prefix IAM would widen or an absolute one, and a host that is a URL', () => {
    for (const jobs of [{ prefix: 'jobs/*/' }, { prefix: '/jobs/' }, { prefix: 'jobs' }, { webhookHosts: ['https://hooks.example.com'] }]) {
      expect(() => registry(jobs), JSON.stringify(jobs)).toThrow(RegistryError);
    }
  });
});
