import { describe, expect, it } from 'vitest';
import { liveAliasResources, liveFunctionSettings, useLiveAliases } from '../../../lib/tools/deploy/liveAlias';
import { parseRegistry, RegistryError, type ModelEntry } from '../../../lib/core/registry/index';
import { cfnSpecProblems } from '../../integration/deploy/cfnSpec';

const naming = {
  getNormalizedFunctionName: (key: string) => key[0]!.toUpperCase() + key.slice(1).replace(/-/g, 'Dash'),
  getLambdaLogicalId: (key: string) => `${naming.getNormalizedFunctionName(key)}LambdaFunction`,
};

function entry(fields: Record<string, unknown>): ModelEntry {
  return parseRegistry({ bucket: { name: 'models' }, models: { m: { weights: 's3://models/m/1/', ...fields } } }).models.m!;
}

function resourcesFor(fields: Record<string, unknown>) {
  return liveAliasResources([{ key: 'm', entry: entry(fields), functionName: 'svc-dev-m', versionLogicalId: 'MLambdaVersionAbc' }], {
    service: 'svc',
    stage: 'dev',
    naming,
  });
}

describe('live alias resources', () => {
  it('puts an always-on provisionedConcurrency on the alias itself, with no scaling target', () => {
    const resources = resourcesFor({ provisionedConcurrency: 3 });
    expect(resources.MAliasLive).toMatchObject({
      Type: 'AWS::Lambda::Alias',
      Properties: {
        Name: 'live',
        FunctionVersion: { 'Fn::GetAtt': ['MLambdaVersionAbc', 'Version'] },
        ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 3 },
      },
    });
    expect(Object.keys(resources)).toEqual(['MAliasLive']);
    const template = {
      Resources: { ...resources, MLambdaVersionAbc: { Type: 'AWS::Lambda::Version', Properties: { FunctionName: 'x' } } },
    };
    expect(cfnSpecProblems(template)).toEqual([]);
  });

  it('makes provisioned models eager unless the entry says otherwise, and keeps tracing on unless turned off', () => {
    expect(liveFunctionSettings('m', entry({ provisionedConcurrency: 1 }), naming)).toEqual({
      versionFunction: true,
      targetAlias: { name: 'live', logicalId: 'MAliasLive' },
      tracing: 'Active',
      environment: { ONNXLESS_EAGER: 'true' },
    });
    expect(liveFunctionSettings('m', entry({ provisionedConcurrency: 1, eager: false }), naming).environment).toEqual({});
    const untraced = liveFunctionSettings('m', entry({ tracing: false }), naming);
    expect(untraced.tracing).toBeUndefined();
    expect(untraced.environment).toEqual({ POWERTOOLS_TRACE_ENABLED: 'false' });
  });

  it('watches only the alarms the rollout lists, with its thresholds, and a linear strategy maps to its CodeDeploy config', () => {
    const resources = resourcesFor({ rollout: { strategy: 'linear10percentevery1minute', alarms: ['errors5xx'], errorRate: 0.01 } });
    expect(Object.keys(resources).sort()).toEqual([
      'MAliasLive',
      'MDeploymentGroup',
      'MErrors5xxAlarm',
      'OnnxlessCodeDeployApplication',
      'OnnxlessCodeDeployRole',
    ]);
    expect(resources.MDeploymentGroup!.Properties).toMatchObject({
      DeploymentConfigName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
      AlarmConfiguration: { Alarms: [{ Name: { Ref: 'MErrors5xxAlarm' } }] },
    });
    expect(resources.MErrors5xxAlarm!.Properties).toMatchObject({ Threshold: 0.01, MetricName: 'Errors5xx' });
  });

  it("gives a traced model's own role the X-Ray statement, and leaves GPU models alone", () => {
    const role = () => ({ Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyDocument: { Statement: [] as unknown[] } }] } });
    const plan = {
      functions: { m: { environment: { A: '1' } }, off: {} } as Record<string, object>,
      resources: { MRole: role(), OffRole: role() },
    };
    const models = { m: entry({ provisionedConcurrency: 1 }), off: entry({ tracing: false }), g: entry({ runtime: 'gpu' }) };
    const keys = useLiveAliases(plan, models, naming, (key) => `${naming.getNormalizedFunctionName(key)}Role`);
    expect(keys).toEqual(['m', 'off']);
    expect(plan.functions.m).toMatchObject({ environment: { A: '1', ONNXLESS_EAGER: 'true' }, tracing: 'Active' });
    expect(plan.resources.MRole.Properties.Policies[0]!.PolicyDocument.Statement).toHaveLength(1);
    expect(plan.resources.OffRole.Properties.Policies[0]!.PolicyDocument.Statement).toHaveLength(0);
  });
});

describe('rollout and provisionedConcurrency in the registry', () => {
  const refused = (fields: Record<string, unknown>): string => {
    try {
      entry(fields);
    } catch (err) {
      if (err instanceof RegistryError) return err.message;
      throw err;
    }
    throw new Error('accepted');
  };

  it('names the strategies it knows when one is misspelt', () => {
    expect(refused({ rollout: { strategy: 'canary10percent' } })).toMatch(/rollout\.strategy: .*canary10percent5minutes/);
  });

  it('refuses a schedule that is not an Application Auto Scaling expression, and zero instances', () => {
    expect(refused({ provisionedConcurrency: { instances: 2, schedule: { start: '0 8 * * *', stop: 'cron(0 18 ? * * *)' } } })).toMatch(
      /provisionedConcurrency\.schedule\.start: expected an Application Auto Scaling schedule/,
    );
    expect(refused({ provisionedConcurrency: 0 })).toMatch(/provisionedConcurrency/);
  });

  it('defaults a rollout to both alarms with their thresholds', () => {
    expect(entry({ rollout: { strategy: 'canary10percent5minutes' } }).rollout).toEqual({
      strategy: 'canary10percent5minutes',
      alarms: ['errors5xx', 'latencyP99'],
      errorRate: 0.05,
      latencyP99Ms: 2000,
    });
  });
});
