import { alarmName } from '../deploy/alarms';
import { codeDeployApplicationName } from '../deploy/codeDeploy';
import { functionName } from '../deploy/lambdaFunction';
import { LIVE_ALIAS } from '../deploy/liveAlias';
import type { ModelEntry } from '../../core/registry/index';

/**
 * The AWS names of one model's release, as the deploy plugin gives them: the function, its
 * `live` alias, and when the entry has a `rollout`, its CodeDeploy application and deployment
 * group and the alarms that stop a rollout.
 */
export interface RolloutTarget {
  model: string;
  functionName: string;
  alias: string;
  codeDeploy?: { application: string; deploymentGroup: string };
  alarms: string[];
}

export function rolloutTarget(service: string, stage: string, model: string, entry: ModelEntry): RolloutTarget {
  // The function name the deployment gives it: one rule, in lib/tools/deploy/lambdaFunction.ts.
  const fn = functionName(model, { service, stage });
  return {
    model,
    functionName: fn,
    alias: LIVE_ALIAS,
    ...(entry.rollout ? { codeDeploy: { application: codeDeployApplicationName(service, stage), deploymentGroup: fn } } : {}),
    alarms: (entry.rollout?.alarms ?? []).map((alarm) => alarmName(fn, alarm)),
  };
}
