import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRegistryFile, type Registry } from '../../../lib/core/registry/index';
import { cfnSpecProblems } from './cfnSpec';
import { examplePackage } from './examplePackage';
import {
  EXAMPLE_REGISTRY,
  allowStatements,
  lambdaFunction,
  removeService,
  resourcesOfType,
  type CfnTemplate,
  type PackagedService,
} from './serviceFixture';

// The run's shared `serverless package` of the example registry (examplePackage.ts), whose
// text-recognition entry declares a canary rollout and scheduled provisioned concurrency.

type Resource = CfnTemplate['Resources'][string];

const functionLogicalId = (template: CfnTemplate, key: string): string =>
  resourcesOfType(template, 'AWS::Lambda::Function').find(([, r]) => String(r.Properties.FunctionName).endsWith(`-${key}`))![0];

function aliasOf(template: CfnTemplate, key: string): [string, Resource] {
  const fn = functionLogicalId(template, key);
  const found = resourcesOfType(template, 'AWS::Lambda::Alias').filter(([, r]) => r.Properties.FunctionName?.Ref === fn);
  expect(found.map(([, r]) => r.Properties.Name)).toEqual(['live']);
  return found[0]!;
}

function versionOf(template: CfnTemplate, key: string): string {
  const fn = functionLogicalId(template, key);
  const versions = resourcesOfType(template, 'AWS::Lambda::Version').filter(([, r]) => r.Properties.FunctionName?.Ref === fn);
  expect(versions).toHaveLength(1);
  return versions[0]![0];
}

const aliasArn = (fn: string) => ({ 'Fn::Join': [':', [{ 'Fn::GetAtt': [fn, 'Arn'] }, 'live']] });

describe('the live alias, rollout and warm capacity in the packaged template', () => {
  let pkg: PackagedService;
  let registry: Registry;
  let models: string[];

  beforeAll(async () => {
    pkg = await examplePackage();
    registry = await readRegistryFile(EXAMPLE_REGISTRY, { env: {} });
    // Pipelines (several models in one function) are served through their alias too.
    models = [...Object.keys(registry.models), ...Object.keys(registry.pipelines ?? {})];
    expect(models).toContain('ocr');
  }, 300_000);
  afterAll(() => removeService(pkg));

  it("points each model function's live alias at the version this deploy publishes", () => {
    for (const key of models) {
      const [, alias] = aliasOf(pkg.template, key);
      expect([key, alias.Properties.FunctionVersion]).toEqual([key, { 'Fn::GetAtt': [versionOf(pkg.template, key), 'Version'] }]);
    }
  });

  it('routes every model route to the alias, never to $LATEST; the server function keeps its own', () => {
    const integrations = resourcesOfType(pkg.template, 'AWS::ApiGatewayV2::Integration');
    for (const key of models) {
      const fn = functionLogicalId(pkg.template, key);
      const [aliasId] = aliasOf(pkg.template, key);
      const own = integrations.filter(([, r]) => JSON.stringify(r.Properties.IntegrationUri).includes(`"${fn}"`));
      expect(own.map(([, r]) => [r.Properties.IntegrationUri, r.DependsOn])).toEqual([[aliasArn(fn), aliasId]]);
      const permissions = resourcesOfType(pkg.template, 'AWS::Lambda::Permission').filter(([, r]) =>
        JSON.stringify(r.Properties.FunctionName).includes(`"${fn}"`),
      );
      expect(permissions.map(([, r]) => r.Properties.FunctionName)).toEqual([aliasArn(fn)]);
    }
    const server = functionLogicalId(pkg.template, 'server');
    expect(
      integrations
        .filter(([, r]) => JSON.stringify(r.Properties.IntegrationUri).includes(`"${server}"`))
        .map(([, r]) => r.Properties.IntegrationUri),
    ).toEqual([{ 'Fn::GetAtt': [server, 'Arn'] }]);
  });

  it("shifts text-recognition's traffic with CodeDeploy, canary 10% for 5 minutes, rolled back on its alarms", () => {
    const [aliasId, alias] = aliasOf(pkg.template, 'text-recognition');
    const group = pkg.template.Resources.TextDashrecognitionDeploymentGroup!;
    expect(alias.UpdatePolicy).toEqual({
      CodeDeployLambdaAliasUpdate: {
        ApplicationName: { Ref: 'OnnxlessCodeDeployApplication' },
        DeploymentGroupName: { Ref: 'TextDashrecognitionDeploymentGroup' },
      },
    });
    expect(group.Properties).toMatchObject({
      ApplicationName: { Ref: 'OnnxlessCodeDeployApplication' },
      DeploymentGroupName: 'onnxless-dev-text-recognition',
      DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      AlarmConfiguration: {
        Enabled: true,
        Alarms: [{ Name: { Ref: 'TextDashrecognitionErrors5xxAlarm' } }, { Name: { Ref: 'TextDashrecognitionLatencyP99Alarm' } }],
      },
    });
    expect(pkg.template.Resources.OnnxlessCodeDeployApplication?.Properties).toEqual({
      ApplicationName: 'onnxless-dev',
      ComputePlatform: 'Lambda',
    });
    const role = pkg.template.Resources.OnnxlessCodeDeployRole!;
    expect(group.Properties.ServiceRoleArn).toEqual({ 'Fn::GetAtt': ['OnnxlessCodeDeployRole', 'Arn'] });
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: ['codedeploy.amazonaws.com'] });
    // The alarms exist, scoped to the new version, before CodeDeploy starts shifting.
    expect(alias.DependsOn).toEqual(expect.arrayContaining(['TextDashrecognitionErrors5xxAlarm', 'TextDashrecognitionLatencyP99Alarm']));
    // Only the model that declares a rollout gets one.
    expect(resourcesOfType(pkg.template, 'AWS::CodeDeploy::DeploymentGroup').map(([id]) => id)).toEqual([
      'TextDashrecognitionDeploymentGroup',
    ]);
    expect(aliasOf(pkg.template, 'tiny')[1].UpdatePolicy).toBeUndefined();
    expect(aliasId).toBe('TextDashrecognitionAliasLive');
  });

  it("alarms on the handlers' EMF metrics Errors5xx (average) and Latency (p99), with the new version as a dimension", () => {
    const version = { 'Fn::GetAtt': [versionOf(pkg.template, 'text-recognition'), 'Version'] };
    const dimensions = [
      { Name: 'service', Value: 'onnxless' },
      { Name: 'model', Value: 'text-recognition' },
      { Name: 'functionVersion', Value: version },
    ];
    const alarms = Object.fromEntries(resourcesOfType(pkg.template, 'AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties]));
    expect(Object.keys(alarms).sort()).toEqual(['TextDashrecognitionErrors5xxAlarm', 'TextDashrecognitionLatencyP99Alarm']);
    expect(alarms.TextDashrecognitionErrors5xxAlarm).toMatchObject({
      AlarmName: 'onnxless-dev-text-recognition-errors5xx',
      Namespace: 'onnxless',
      MetricName: 'Errors5xx',
      Statistic: 'Average',
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: dimensions,
    });
    expect(alarms.TextDashrecognitionLatencyP99Alarm).toMatchObject({
      AlarmName: 'onnxless-dev-text-recognition-latencyP99',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 3000,
      Dimensions: dimensions,
    });
  });

  it('keeps text-recognition warm on its alias in business hours through Application Auto Scaling', () => {
    const [aliasId, alias] = aliasOf(pkg.template, 'text-recognition');
    // The schedule owns the alias's provisioned concurrency: a fixed value on the alias would fight it at each deploy.
    expect(alias.Properties.ProvisionedConcurrencyConfig).toBeUndefined();
    const targets = resourcesOfType(pkg.template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    expect(targets).toHaveLength(1);
    const [, target] = targets[0]!;
    expect(target.DependsOn).toEqual([aliasId]);
    expect(target.Properties).toMatchObject({
      ServiceNamespace: 'lambda',
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      ResourceId: 'function:onnxless-dev-text-recognition:live',
      MinCapacity: 0,
      MaxCapacity: 2,
      ScheduledActions: [
        {
          ScheduledActionName: 'open',
          Schedule: 'cron(0 8 ? * MON-FRI *)',
          Timezone: 'Europe/Berlin',
          ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 2 },
        },
        {
          ScheduledActionName: 'close',
          Schedule: 'cron(0 18 ? * MON-FRI *)',
          Timezone: 'Europe/Berlin',
          ScalableTargetAction: { MinCapacity: 0, MaxCapacity: 0 },
        },
      ],
    });
    expect(lambdaFunction(pkg.template, 'text-recognition').Properties.Environment.Variables.ONNXLESS_EAGER).toBe('true');
  });

  it('traces every model function with X-Ray, its own role allowed to write segments; not the server function', () => {
    const statements = allowStatements(pkg.template);
    for (const key of models) {
      const fn = lambdaFunction(pkg.template, key);
      expect([key, fn.Properties.TracingConfig]).toEqual([key, { Mode: 'Active' }]);
      const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
      expect(statements.filter((s) => s.role === role && s.actions.some((a) => a.startsWith('xray:')))).toEqual([
        { role, actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] },
      ]);
    }
    expect(lambdaFunction(pkg.template, 'server').Properties.TracingConfig).toBeUndefined();
  });

  it('is a template CloudFormation accepts by its resource specification: types, required properties, property names, attributes', () => {
    expect(cfnSpecProblems(pkg.template)).toEqual([]);
  });

  it('the specification check refuses an unknown property, a missing required one, an unknown type and attribute', () => {
    const broken = structuredClone(pkg.template);
    const group = broken.Resources.TextDashrecognitionDeploymentGroup!;
    delete group.Properties.ServiceRoleArn;
    broken.Resources.TextDashrecognitionAliasLive!.Properties.ProvisionedConcurrency = { ProvisionedConcurrentExecutions: 1 };
    broken.Resources.TextDashrecognitionProvisionedConcurrencyTarget!.Properties.ScheduledActions[0].Cron = 'cron(0 8 * * ? *)';
    broken.Resources.Extra = { Type: 'AWS::Lambda::Aliases', Properties: {} };
    broken.Resources.TextDashrecognitionAliasLive!.Properties.FunctionVersion = {
      'Fn::GetAtt': [versionOf(broken, 'text-recognition'), 'Number'],
    };
    const problems = cfnSpecProblems(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        'TextDashrecognitionDeploymentGroup.Properties: required property ServiceRoleArn missing',
        expect.stringMatching(
          /^TextDashrecognitionAliasLive\.Properties: unknown property ProvisionedConcurrency \(known: .*ProvisionedConcurrencyConfig/,
        ),
        expect.stringMatching(/^TextDashrecognitionProvisionedConcurrencyTarget\.Properties\.ScheduledActions\[0\]: unknown property Cron/),
        'Extra: unknown resource type AWS::Lambda::Aliases',
        expect.stringMatching(/^Fn::GetAtt TextDashrecognitionLambdaVersion\w+\.Number: AWS::Lambda::Version has no such attribute$/),
      ]),
    );
    expect(problems).toHaveLength(5);
  });
});
