import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnSpecProblems } from './cfnSpec';
import { packageService, removeService, resourcesOfType, serviceConfig, type PackagedService } from './serviceFixture';

/**
 * `jobs:` through the real `serverless package` (osls): the framework compiles the plan's
 * `destinations` and `maximumRetryAttempts` into an AWS::Lambda::EventInvokeConfig on each
 * function's `live` alias, the job routes join the HTTP API, and the template passes the
 * CloudFormation specification check.
 */
describe('serverless package of a registry with jobs', () => {
  let pkg: PackagedService;

  beforeAll(async () => {
    pkg = await packageService(
      await serviceConfig((doc) => {
        doc.setIn(['custom', 'onnxless', 'jobs'], { prefix: 'async/', webhookHosts: ['hooks.example.com'] });
        doc.setIn(['custom', 'onnxless', 'models'], {
          tiny: { weights: 's3://${self:custom.onnxless.bucket.name}/tiny/1/' },
          'voice-activity': {
            weights: 's3://${self:custom.onnxless.bucket.name}/voice-activity/1/',
            handler: 'handlers/voice-activity.handler',
          },
        });
      }),
    );
  }, 170_000);
  afterAll(() => removeService(pkg));

  const functionId = (key: string) =>
    resourcesOfType(pkg.template, 'AWS::Lambda::Function').find(([, r]) => String(r.Properties.FunctionName).endsWith(`-${key}`))![0];

  it("sends each function's failed asynchronous invocations to its own live alias, with no retry", () => {
    const configs = resourcesOfType(pkg.template, 'AWS::Lambda::EventInvokeConfig');
    expect(configs.map(([, r]) => r.Properties.FunctionName)).toEqual(
      expect.arrayContaining([{ Ref: functionId('tiny') }, { Ref: functionId('voice-activity') }]),
    );
    expect(configs).toHaveLength(2);
    for (const [, config] of configs) {
      const fn = resourcesOfType(pkg.template, 'AWS::Lambda::Function').find(([id]) => id === config.Properties.FunctionName.Ref)![1];
      expect(config.Properties).toMatchObject({
        Qualifier: 'live',
        MaximumRetryAttempts: 0,
        DestinationConfig: {
          OnFailure: {
            Destination: {
              'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${fn.Properties.FunctionName}:live`,
            },
          },
        },
      });
      // Made once the alias exists: the configuration names it.
      expect([config.DependsOn].flat()).toEqual(expect.arrayContaining([expect.stringMatching(/AliasLive$/)]));
    }
  });

  it('routes each model’s jobs to its own function and gives it its jobs prefix', () => {
    const routes = resourcesOfType(pkg.template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey as string);
    expect(routes).toEqual(expect.arrayContaining(['GET /models/tiny/jobs/{job}', 'GET /models/voice-activity/jobs/{job}']));
    const env = (key: string) =>
      resourcesOfType(pkg.template, 'AWS::Lambda::Function').find(([id]) => id === functionId(key))![1].Properties.Environment.Variables;
    expect(env('tiny')).toMatchObject({
      ONNXLESS_JOBS_URI: expect.stringMatching(/^s3:\/\/[^/]+\/async\/tiny\/$/),
      ONNXLESS_JOBS_FUNCTION: expect.stringMatching(/-tiny:live$/),
      ONNXLESS_WEBHOOK_HOSTS: 'hooks.example.com',
    });
  });

  it('passes the CloudFormation specification check', () => {
    expect(cfnSpecProblems(pkg.template)).toEqual([]);
  });
});
