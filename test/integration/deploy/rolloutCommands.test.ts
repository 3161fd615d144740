import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerRollback, registerRollout } from '../../../lib/tools/cli/commands/rollout';
import { RecordedAws, type Interaction } from './recordedAws';
import { EXAMPLE_REGISTRY } from './serviceFixture';

// `onnxless rollout status` and `onnxless rollback` against a recorded-interaction fake of AWS
// (recordedAws.ts): the real SDK clients, recorded HTTP answers. The example registry's
// text-recognition has a canary rollout with both alarms; tiny has none.

const recording = (name: string, without: string[] = []): Interaction[] =>
  (JSON.parse(readFileSync(path.join(import.meta.dirname, 'recordings', `${name}.json`), 'utf8')) as Interaction[]).filter(
    (i) => !without.includes(i.operation),
  );

async function run(aws: RecordedAws, ...args: string[]): Promise<string> {
  const printed: string[] = [];
  const deps = { clients: () => aws.clients(), print: (text: string) => printed.push(text) };
  const program = new Command('onnxless').exitOverride();
  registerRollout(program, deps);
  registerRollback(program, deps);
  await program.parseAsync(['node', 'onnxless', ...args, '--config', EXAMPLE_REGISTRY]);
  return printed.join('\n');
}

const FN = 'onnxless-dev-text-recognition';

describe('onnxless rollout status', () => {
  it('shows the canary split, the newest deployment and each alarm with the reason of the one firing', async () => {
    const aws = new RecordedAws(recording('canary-in-progress', ['codedeploy:StopDeployment']));
    const out = await run(aws, 'rollout', 'status', 'text-recognition');
    expect(out).toBe(
      [
        `text-recognition (${FN})`,
        '  live: version 7 90%, version 8 10%',
        '  deployment d-7QZ2VXKH8 InProgress (CodeDeployDefault.LambdaCanary10Percent5Minutes), started 2026-12-02T09:14:05.000Z',
        `  alarm ${FN}-errors5xx OK`,
        `  alarm ${FN}-latencyP99 ALARM: Threshold Crossed: 2 out of the last 2 datapoints [4120.5 (02/12/26 09:17:00), 3980.1 (02/12/26 09:16:00)] were greater than the threshold (3000.0).`,
      ].join('\n'),
    );
    expect(aws.calls).toEqual(
      expect.arrayContaining([
        { operation: 'lambda:GetAlias', method: 'GET', path: `/2015-03-31/functions/${FN}/aliases/live` },
        expect.objectContaining({
          operation: 'codedeploy:ListDeployments',
          body: { applicationName: 'onnxless-dev', deploymentGroupName: FN },
        }),
        expect.objectContaining({ operation: 'codedeploy:BatchGetDeployments', body: { deploymentIds: ['d-2BX8YQ1M7', 'd-7QZ2VXKH8'] } }),
        expect.objectContaining({ operation: 'cloudwatch:DescribeAlarms', body: { AlarmNames: [`${FN}-errors5xx`, `${FN}-latencyP99`] } }),
      ]),
    );
    expect(aws.calls).toHaveLength(4);
    expect(aws.unused()).toEqual([]);
  });

  it('asks only Lambda about a model without a rollout', async () => {
    const aws = new RecordedAws([
      {
        operation: 'lambda:GetAlias',
        body: { AliasArn: 'arn:aws:lambda:us-east-1:123456789012:function:onnxless-dev-tiny:live', FunctionVersion: '3', Name: 'live' },
      },
    ]);
    expect(await run(aws, 'rollout', 'status', 'tiny')).toBe(
      ['tiny (onnxless-dev-tiny)', '  live: version 3 100%', '  no rollout configured: a deploy moves live at once'].join('\n'),
    );
    expect(aws.calls.map((c) => c.operation)).toEqual(['lambda:GetAlias']);
  });

  it('names the stage and region to check when the alias is not deployed there', async () => {
    const aws = new RecordedAws(recording('not-deployed'));
    await expect(run(aws, 'rollout', 'status', 'text-recognition', '--stage', 'prod')).rejects.toThrow(
      "text-recognition: no alias 'live' on onnxless-prod-text-recognition; is it deployed to this stage and region (--stage, --region)?",
    );
  });

  it('refuses a model the registry does not list, naming those it does, before any AWS call', async () => {
    const aws = new RecordedAws([]);
    await expect(run(aws, 'rollout', 'status', 'text-recogniton')).rejects.toThrow(
      /no model 'text-recogniton' in .*serverless\.yml; models: .*text-recognition/,
    );
    expect(aws.calls).toEqual([]);
  });
});

describe('onnxless rollback', () => {
  it('stops a canary in progress with rollback, so CodeDeploy moves live back to the old version', async () => {
    const aws = new RecordedAws(recording('canary-in-progress', ['cloudwatch:DescribeAlarms']));
    expect(await run(aws, 'rollback', 'text-recognition')).toBe(
      'text-recognition: stopped deployment d-7QZ2VXKH8; CodeDeploy moves live back to version 7 (Pending)',
    );
    expect(aws.calls.find((c) => c.operation === 'codedeploy:StopDeployment')?.body).toEqual({
      deploymentId: 'd-7QZ2VXKH8',
      autoRollbackEnabled: true,
    });
    expect(aws.calls.some((c) => c.operation === 'lambda:UpdateAlias')).toBe(false);
    expect(aws.unused()).toEqual([]);
  });

  it('after a finished rollout points live at the newest earlier version, reading every page of versions', async () => {
    const aws = new RecordedAws(recording('rollout-finished'));
    expect(await run(aws, 'rollback', 'text-recognition')).toBe(
      [
        'text-recognition: live: version 8 -> 7',
        '  the stack still names the newer version: put the old weights back in the registry before the next deploy',
      ].join('\n'),
    );
    const listed = aws.calls.filter((c) => c.operation === 'lambda:ListVersionsByFunction').map((c) => c.path);
    expect(listed).toEqual([`/2015-03-31/functions/${FN}/versions`, `/2015-03-31/functions/${FN}/versions`]);
    const update = aws.calls.find((c) => c.operation === 'lambda:UpdateAlias');
    expect(update).toMatchObject({
      method: 'PUT',
      path: `/2015-03-31/functions/${FN}/aliases/live`,
      body: { FunctionVersion: '7', RoutingConfig: { AdditionalVersionWeights: {} } },
    });
    expect(aws.unused()).toEqual([]);
  });

  it('refuses when live is on the oldest published version', async () => {
    const aws = new RecordedAws([
      { operation: 'lambda:GetAlias', body: { FunctionVersion: '1', Name: 'live' } },
      { operation: 'lambda:ListVersionsByFunction', body: { Versions: [{ Version: '$LATEST' }, { Version: '1' }] } },
    ]);
    await expect(run(aws, 'rollback', 'tiny')).rejects.toThrow(
      'tiny: live is on version 1 and no earlier version is published; nothing to roll back to',
    );
    expect(aws.calls.some((c) => c.operation === 'lambda:UpdateAlias')).toBe(false);
  });
});
