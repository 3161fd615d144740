import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseRegistry } from '../../../lib/core/registry/index';
import type { PlanContext } from '../../../lib/tools/deploy/DeploymentPlan';
import { planDeployment } from '../../../lib/tools/deploy/plan';
import { cfnSpecProblems } from './cfnSpec';

// asl-validator is CommonJS with `module.exports = validator`.
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};

const ctx: PlanContext = {
  service: 'svc',
  stage: 'dev',
  runtime: 'nodejs22.x',
  naming: {
    getNormalizedFunctionName: (n) => n.replace(/-/g, 'Dash').replace(/^./, (c) => c.toUpperCase()),
    getLambdaLayerLogicalId: (n) => `${n}LambdaLayer`,
  },
  root: '/project',
  bundleExtension: '.cjs',
};

const BATCH = { input: 's3://scans/incoming/2026/', output: 's3://answers/ocr-runs/' };

function plan(batch: Record<string, unknown> = BATCH, extra: Record<string, unknown> = {}) {
  return planDeployment(
    parseRegistry({
      bucket: { name: 'models', create: false },
      models: {
        'text-recognition': { weights: 's3://models/text-recognition/1/', handler: 'handlers/text-recognition.handler', batch, ...extra },
        ocr: {
          kind: 'pipeline',
          handler: 'handlers/ocr.handler',
          models: { detection: { weights: 's3://models/ocr-detection/1/' } },
          batch: {
            input: 's3://scans/pages/',
            output: 's3://scans/ocr/',
            concurrency: 10,
            itemsPerInvocation: 4,
            toleratedFailurePercent: 0,
          },
        },
        tiny: { weights: 's3://models/tiny/1/' },
      },
    }),
    ctx,
  );
}

type Statement = { Effect: string; Action: string[]; Resource: unknown[]; Condition?: Record<string, Record<string, string[]>> };
type Role = { Properties: { AssumeRolePolicyDocument: unknown; Policies: Array<{ PolicyDocument: { Statement: Statement[] } }> } };

const statementsOf = (role: unknown): Statement[] => (role as Role).Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);

/** An ARN as the template writes it (Fn::Join or Fn::Sub over the partition, region and account), as one string. */
function arnText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const r = resource as Record<string, unknown>;
  if (r['Fn::Join']) return (r['Fn::Join'] as [string, unknown[]])[1].map((p) => (typeof p === 'string' ? p : '${partition}')).join('');
  if (r['Fn::Sub']) return r['Fn::Sub'] as string;
  if (r.Ref) return `{Ref ${r.Ref as string}}`;
  return JSON.stringify(resource);
}

describe('batch: on a registry entry (Step Functions Distributed Map)', () => {
  const deployed = plan();
  const machine = deployed.resources.TextDashrecognitionBatchStateMachine as { Type: string; Properties: Record<string, any> };

  it('is an AWS::StepFunctions::StateMachine whose definition Amazon States Language accepts (asl-validator)', () => {
    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    const result = aslValidator(machine.Properties.Definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
    // And it does refuse a broken one: a Map without its processor's start.
    const broken = structuredClone(machine.Properties.Definition);
    delete broken.States.Items.ItemProcessor.StartAt;
    expect(aslValidator(broken).isValid).toBe(false);
  });

  it('lists the input prefix, batches, bounds concurrency and failures, writes a result manifest, and invokes the live alias', () => {
    const map = machine.Properties.Definition.States.Items;
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:listObjectsV2',
      Parameters: { 'Bucket.$': '$.inputBucket', 'Prefix.$': '$.inputPrefix' },
    });
    expect(map.ItemBatcher).toEqual({ MaxItemsPerBatch: 20, BatchInput: { 'input.$': '$.input', 'output.$': '$.output' } });
    expect(map.MaxConcurrency).toBe(100);
    expect(map.ToleratedFailurePercentage).toBe(1);
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
    expect(map.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Bucket: 'answers', Prefix: 'ocr-runs/_results' },
    });
    expect(map.ItemProcessor.States.Invoke.Parameters.FunctionName).toBe('${FunctionArn}');
    expect(machine.Properties.DefinitionSubstitutions).toEqual({ FunctionArn: { Ref: 'TextDashrecognitionAliasLive' } });
    expect(machine.Properties.StateMachineName).toBe('svc-dev-text-recognition-batch');
    const ocr = (deployed.resources.OcrBatchStateMachine as typeof machine).Properties.Definition.States.Items;
    expect([ocr.MaxConcurrency, ocr.ItemBatcher.MaxItemsPerBatch, ocr.ToleratedFailurePercentage]).toEqual([10, 4, 0]);
    expect(deployed.resources.TinyBatchStateMachine).toBeUndefined();
  });

  it('passes the CloudFormation resource specification check', () => {
    // The live aliases join the plan when the framework compiles it (liveAlias.ts): stand-ins here, so Refs resolve.
    const resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> = {
      ...(deployed.resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>),
    };
    expect(cfnSpecProblems({ Resources: resources })).toEqual([]);
    const broken = structuredClone(resources);
    broken.TextDashrecognitionBatchStateMachine!.Properties!.DefinitionSubstitution = {};
    expect(cfnSpecProblems({ Resources: broken })).toEqual([expect.stringMatching(/unknown property DefinitionSubstitution/)]);
  });

  it("gives the state machine's role no wildcard beyond its prefixes and its own executions", () => {
    const statements = statementsOf(deployed.resources.TextDashrecognitionBatchRole);
    const grants = statements.map((s) => ({ actions: s.Action, resources: s.Resource.map(arnText), condition: s.Condition }));
    expect(grants).toEqual([
      {
        actions: ['states:StartExecution'],
        resources: ['arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:svc-dev-text-recognition-batch'],
        condition: undefined,
      },
      {
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [
          'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:svc-dev-text-recognition-batch:*',
          'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:svc-dev-text-recognition-batch/*',
        ],
        condition: undefined,
      },
      { actions: ['lambda:InvokeFunction'], resources: ['{Ref TextDashrecognitionAliasLive}'], condition: undefined },
      {
        actions: ['s3:ListBucket'],
        resources: ['arn:${partition}:s3:::scans'],
        condition: { StringLike: { 's3:prefix': ['incoming/2026/*'] } },
      },
      {
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: ['arn:${partition}:s3:::answers/ocr-runs/*'],
        condition: undefined,
      },
    ]);
    for (const s of statements) for (const a of s.Action) expect(a).not.toContain('*');
  });

  it("gives the function's own role the job's reads and writes, each under its prefix, and keeps its model's read", () => {
    const statements = statementsOf(deployed.resources.TextDashrecognitionOnnxlessRole);
    const s3 = statements.filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => [s.Action, s.Resource.map(arnText), s.Condition])).toEqual([
      [['s3:GetObject'], ['arn:${partition}:s3:::models/text-recognition/1/*'], undefined],
      [['s3:GetObject'], ['arn:${partition}:s3:::scans/incoming/2026/*'], undefined],
      [['s3:GetObject', 's3:PutObject'], ['arn:${partition}:s3:::answers/ocr-runs/*'], undefined],
      [['s3:ListBucket'], ['arn:${partition}:s3:::answers'], { StringLike: { 's3:prefix': ['ocr-runs/*'] } }],
    ]);
    // Every wildcard in these roles ends a prefix it was given, an own execution's ARN or the function's own log group.
    const allowed = [
      /:s3:::[a-z0-9.-]+\/[^*]*\/\*$/,
      /:execution:svc-dev-[a-z-]+-batch[:/]\*$/,
      // The function's own log streams, as every function's role has them.
      /:log-group:\/aws\/lambda\/svc-dev-[a-z-]+:\*$/,
    ];
    for (const [id, resource] of Object.entries(deployed.resources)) {
      if ((resource as { Type: string }).Type !== 'AWS::IAM::Role' || !/Batch|text-recognition|Ocr|Dashrecognition/.test(id)) continue;
      for (const s of statementsOf(resource)) {
        if (s.Action.every((a) => a.startsWith('xray:'))) continue;
        for (const r of s.Resource.map(arnText).filter((r) => r.includes('*'))) {
          expect([id, r, allowed.some((p) => p.test(r))]).toEqual([id, r, true]);
        }
      }
    }
  });

  it('refuses an output prefix inside the input prefix, a prefix without its trailing slash, a wildcard, and batch: on a GPU model', () => {
    expect(() => plan({ input: 's3://scans/in/', output: 's3://scans/in/out/' })).toThrow(/inside the input prefix/);
    expect(() => plan({ input: 's3://scans/in', output: 's3://scans/out/' })).toThrow(/must end in '\/'/);
    expect(() => plan({ input: 's3://scans/in*/', output: 's3://scans/out/' })).toThrow(/'\*' or '\?'/);
    expect(() => plan({ ...BATCH, concurrency: 20_000 })).toThrow(/at most 10000/);
    expect(() => plan(BATCH, { runtime: 'gpu', instanceType: 'ml.g5.xlarge', handler: undefined })).toThrow(
      /batch: needs a Lambda function to invoke/,
    );
  });
});
