import type { ProvisionedConcurrency } from '../../core/registry/release';

type Cfn = Record<string, unknown>;

/**
 * Warm capacity on the `live` alias. Always on: the alias's ProvisionedConcurrencyConfig. On a
 * schedule: Application Auto Scaling owns the alias's provisioned concurrency (the alias then
 * sets none, or each deploy would reset what the schedule set), with one scheduled action that
 * opens the window and one that closes it.
 * https://docs.aws.amazon.com/autoscaling/application/userguide/services-that-can-integrate-lambda.html
 * https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scheduled-scaling.html
 */
export function aliasProvisionedConcurrency(pc: ProvisionedConcurrency | undefined): Cfn | undefined {
  if (!pc || pc.schedule) return undefined;
  return { ProvisionedConcurrentExecutions: pc.instances };
}

export interface ScheduleTarget {
  /** `<service>-<stage>-<model>` */
  functionName: string;
  alias: string;
  aliasLogicalId: string;
}

export function scheduledProvisionedConcurrency(pc: ProvisionedConcurrency | undefined, target: ScheduleTarget): Cfn | undefined {
  if (!pc?.schedule) return undefined;
  const { start, stop, timezone } = pc.schedule;
  const at = (capacity: number) => ({ MinCapacity: capacity, MaxCapacity: capacity });
  return {
    Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    // The alias must exist before its concurrency can be registered.
    DependsOn: [target.aliasLogicalId],
    Properties: {
      ServiceNamespace: 'lambda',
      ScalableDimension: 'lambda:function:ProvisionedConcurrency',
      ResourceId: `function:${target.functionName}:${target.alias}`,
      // Outside the window: none. Application Auto Scaling uses its service-linked role
      // (AWSServiceRoleForApplicationAutoScaling_LambdaConcurrency), created on first use.
      MinCapacity: 0,
      MaxCapacity: pc.instances,
      ScheduledActions: [
        {
          ScheduledActionName: 'open',
          Schedule: start,
          ScalableTargetAction: at(pc.instances),
          ...(timezone ? { Timezone: timezone } : {}),
        },
        { ScheduledActionName: 'close', Schedule: stop, ScalableTargetAction: at(0), ...(timezone ? { Timezone: timezone } : {}) },
      ],
    },
  };
}
