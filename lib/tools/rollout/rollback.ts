import { StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { ListVersionsByFunctionCommand, UpdateAliasCommand } from '@aws-sdk/client-lambda';
import type { RolloutClients } from './clients';
import { RolloutError } from './errors';
import type { RolloutTarget } from './RolloutTarget';
import { ACTIVE_DEPLOYMENT_STATES, aliasTraffic, latestDeployment } from './status';

export type RollbackOutcome =
  /** A deployment was shifting traffic: stopped, and CodeDeploy moves `live` back itself. */
  | { kind: 'stopped'; deploymentId: string; to: string; status: string }
  /** No shift in progress: `live` now points at the version before. */
  | { kind: 'repointed'; from: string; to: string };

/**
 * Puts a model's `live` alias back on the version before. During a CodeDeploy shift: stop the
 * deployment with rollback (CodeDeploy restores the alias; the stack update then rolls back).
 * Otherwise: point the alias at the primary version of a split, or at the newest published
 * version older than the current one.
 * https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_StopDeployment.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateAlias.html
 */
export async function rollBack(clients: RolloutClients, target: RolloutTarget): Promise<RollbackOutcome> {
  const traffic = await aliasTraffic(clients, target);
  const deployment = await latestDeployment(clients, target);
  const current = traffic[0]!.version;
  if (deployment && (ACTIVE_DEPLOYMENT_STATES as readonly string[]).includes(deployment.status)) {
    const stopped = await clients.codeDeploy.send(new StopDeploymentCommand({ deploymentId: deployment.id, autoRollbackEnabled: true }));
    // During a shift the alias's primary version is still the old one.
    return { kind: 'stopped', deploymentId: deployment.id, to: current, status: stopped.status ?? 'Pending' };
  }
  // A split left by hand: its primary version is the one that served before.
  const to = traffic.length > 1 ? current : await versionBefore(clients, target, current);
  await clients.lambda.send(
    new UpdateAliasCommand({
      FunctionName: target.functionName,
      Name: target.alias,
      FunctionVersion: to,
      RoutingConfig: { AdditionalVersionWeights: {} },
    }),
  );
  return { kind: 'repointed', from: traffic.length > 1 ? traffic.map((t) => t.version).join('+') : current, to };
}

async function versionBefore(clients: RolloutClients, target: RolloutTarget, current: string): Promise<string> {
  const numbers: number[] = [];
  let marker: string | undefined;
  do {
    const page = await clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: target.functionName, Marker: marker }));
    for (const v of page.Versions ?? []) if (v.Version && /^\d+$/.test(v.Version)) numbers.push(Number(v.Version));
    marker = page.NextMarker;
  } while (marker);
  const earlier = numbers.filter((n) => n < Number(current));
  if (earlier.length === 0) {
    throw new RolloutError(
      `${target.model}: live is on version ${current} and no earlier version is published; nothing to roll back to`,
      target.model,
    );
  }
  return String(Math.max(...earlier));
}

/** What `onnxless rollback` prints. */
export function formatRollback(target: RolloutTarget, outcome: RollbackOutcome): string {
  if (outcome.kind === 'stopped') {
    return `${target.model}: stopped deployment ${outcome.deploymentId}; CodeDeploy moves ${target.alias} back to version ${outcome.to} (${outcome.status})`;
  }
  return [
    `${target.model}: ${target.alias}: version ${outcome.from} -> ${outcome.to}`,
    `  the stack still names the newer version: put the old weights back in the registry before the next deploy`,
  ].join('\n');
}
