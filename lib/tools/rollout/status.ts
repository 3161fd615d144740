import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { BatchGetDeploymentsCommand, ListDeploymentsCommand, type DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import type { RolloutClients } from './clients';
import { RolloutError } from './errors';
import type { RolloutTarget } from './RolloutTarget';

/** Where `live` sends traffic: each version with its share, the primary first. */
export interface AliasTraffic {
  version: string;
  share: number;
}

export interface DeploymentSummary {
  id: string;
  status: string;
  config?: string;
  createdAt?: Date;
  /** Why it stopped or failed (CodeDeploy's error message), when it did. */
  reason?: string;
}

export interface AlarmSummary {
  name: string;
  state: string;
  reason?: string;
}

export interface RolloutStatus {
  target: RolloutTarget;
  traffic: AliasTraffic[];
  /** The newest deployment of the model's group; absent without a rollout or before the first one. */
  deployment?: DeploymentSummary;
  alarms: AlarmSummary[];
}

/** CodeDeploy states in which traffic may still move (and a stop rolls it back). */
export const ACTIVE_DEPLOYMENT_STATES = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const;

export async function readRolloutStatus(clients: RolloutClients, target: RolloutTarget): Promise<RolloutStatus> {
  // The alias first: when it is missing, the rest is missing too, and its message says why.
  const traffic = await aliasTraffic(clients, target);
  const [deployment, alarms] = await Promise.all([latestDeployment(clients, target), alarmStates(clients, target)]);
  return { target, traffic, ...(deployment ? { deployment } : {}), alarms };
}

export async function aliasTraffic(clients: RolloutClients, target: RolloutTarget): Promise<AliasTraffic[]> {
  let alias;
  try {
    alias = await clients.lambda.send(new GetAliasCommand({ FunctionName: target.functionName, Name: target.alias }));
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') {
      throw new RolloutError(
        `${target.model}: no alias '${target.alias}' on ${target.functionName}; is it deployed to this stage and region (--stage, --region)?`,
        target.model,
        { cause: err },
      );
    }
    throw err;
  }
  const weights = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  const others = weights.reduce((sum, [, w]) => sum + w, 0);
  return [{ version: alias.FunctionVersion ?? '?', share: 1 - others }, ...weights.map(([version, share]) => ({ version, share }))];
}

export async function latestDeployment(clients: RolloutClients, target: RolloutTarget): Promise<DeploymentSummary | undefined> {
  if (!target.codeDeploy) return undefined;
  // Every page: ListDeployments promises no order, so the newest may be on any of them.
  const deployments: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.codeDeploy.send(
      new ListDeploymentsCommand({
        applicationName: target.codeDeploy.application,
        deploymentGroupName: target.codeDeploy.deploymentGroup,
        nextToken,
      }),
    );
    deployments.push(...(page.deployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  if (deployments.length === 0) return undefined;
  // The newest by creation time; BatchGetDeployments takes at most 25 ids a call.
  const deploymentsInfo: DeploymentInfo[] = [];
  for (let i = 0; i < deployments.length; i += 25) {
    const batch = await clients.codeDeploy.send(new BatchGetDeploymentsCommand({ deploymentIds: deployments.slice(i, i + 25) }));
    deploymentsInfo.push(...(batch.deploymentsInfo ?? []));
  }
  const newest = deploymentsInfo.reduce<DeploymentInfo | undefined>(
    (best, d) => (!best || (d.createTime?.getTime() ?? 0) > (best.createTime?.getTime() ?? 0) ? d : best),
    undefined,
  );
  if (!newest?.deploymentId) return undefined;
  return {
    id: newest.deploymentId,
    status: newest.status ?? 'Unknown',
    ...(newest.deploymentConfigName ? { config: newest.deploymentConfigName } : {}),
    ...(newest.createTime ? { createdAt: newest.createTime } : {}),
    ...(newest.errorInformation?.message ? { reason: newest.errorInformation.message } : {}),
  };
}

async function alarmStates(clients: RolloutClients, target: RolloutTarget): Promise<AlarmSummary[]> {
  if (target.alarms.length === 0) return [];
  const { MetricAlarms = [] } = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: target.alarms }));
  return target.alarms.map((name) => {
    const alarm = MetricAlarms.find((a) => a.AlarmName === name);
    return {
      name,
      state: alarm?.StateValue ?? 'MISSING',
      ...(alarm?.StateReason && alarm.StateValue === 'ALARM' ? { reason: alarm.StateReason } : {}),
    };
  });
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;

/** What `onnxless rollout status` prints. */
export function formatRolloutStatus(status: RolloutStatus): string {
  const { target } = status;
  const lines = [`${target.model} (${target.functionName})`];
  lines.push(`  ${target.alias}: ${status.traffic.map((t) => `version ${t.version} ${percent(t.share)}`).join(', ')}`);
  if (!target.codeDeploy) lines.push('  no rollout configured: a deploy moves live at once');
  else if (!status.deployment) lines.push('  no CodeDeploy deployment yet: the first deploy creates the alias without one');
  else {
    const d = status.deployment;
    lines.push(
      `  deployment ${d.id} ${d.status}${d.config ? ` (${d.config})` : ''}${d.createdAt ? `, started ${d.createdAt.toISOString()}` : ''}`,
    );
    if (d.reason) lines.push(`    ${d.reason}`);
  }
  for (const alarm of status.alarms) lines.push(`  alarm ${alarm.name} ${alarm.state}${alarm.reason ? `: ${alarm.reason}` : ''}`);
  return lines.join('\n');
}
