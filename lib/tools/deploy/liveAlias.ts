import { ENV } from '../../core/config/env';
import type { ModelEntry } from '../../core/registry/index';
import type { RolloutAlarm } from '../../core/registry/release';
import { rolloutAlarms } from './alarms';
import { aliasUpdatePolicy, codeDeployApplication, deploymentGroup } from './codeDeploy';
import { aliasProvisionedConcurrency, scheduledProvisionedConcurrency } from './provisionedConcurrency';

/**
 * Every Lambda model is served through a `live` alias: each deploy publishes a version (the
 * framework's own AWS::Lambda::Version, named after a hash of code and configuration, kept on
 * update), the alias points at it, and the API's integrations and permissions name the alias,
 * never $LATEST. The previous version stays published: the old weights' environment and code
 * with it, which is what a rollout shifts away from and a rollback returns to.
 */

type Cfn = Record<string, unknown>;

export const LIVE_ALIAS = 'live';

export interface LiveAliasNaming {
  getNormalizedFunctionName(key: string): string;
  getLambdaLogicalId(key: string): string;
}

/** The registry fields this file reads: a model entry has them all; a `kind: pipeline` entry has `eager` only. */
export type ReleaseSettings = Partial<Pick<ModelEntry, 'rollout' | 'provisionedConcurrency' | 'tracing' | 'eager' | 'runtime'>>;

/** What the framework must know about a model function before it compiles it. */
export interface LiveFunctionSettings {
  /** Publish a version at every deploy, whatever provider.versionFunctions says. */
  versionFunction: true;
  /** The framework's own hook: its HTTP API integrations and permissions then target `<function>:live`. */
  targetAlias: { name: string; logicalId: string };
  /** X-Ray active tracing (the handler's spans, lib/core/observability/tracing.ts); absent when the entry says `tracing: false`. */
  tracing?: 'Active';
  /** Added to the function's environment. */
  environment: Record<string, string>;
}

export function liveFunctionSettings(key: string, entry: ReleaseSettings, naming: LiveAliasNaming): LiveFunctionSettings {
  const environment: Record<string, string> = {};
  // Warm instances are only worth paying for once loaded: the init phase loads the weights.
  if (entry.provisionedConcurrency && entry.eager === undefined) environment[ENV.eager] = 'true';
  // Tracing turns itself on in Lambda (AWS_EXECUTION_ENV); a model that opts out says so here.
  if (entry.tracing === false) environment.POWERTOOLS_TRACE_ENABLED = 'false';
  return {
    versionFunction: true,
    targetAlias: { name: LIVE_ALIAS, logicalId: aliasLogicalId(key, naming) },
    ...(entry.tracing === false ? {} : { tracing: 'Active' as const }),
    environment,
  };
}

export function aliasLogicalId(key: string, naming: Pick<LiveAliasNaming, 'getNormalizedFunctionName'>): string {
  return `${naming.getNormalizedFunctionName(key)}AliasLive`;
}

/**
 * The statement a traced function's role needs: Lambda refuses active tracing on a function whose
 * role cannot write segments, so it goes into the role itself, not a policy attached later.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html#services-xray-permissions
 */
export const TRACING_STATEMENT = {
  Effect: 'Allow',
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  Resource: ['*'],
} as const;

export function addTracingPermission(role: Cfn | undefined): void {
  const policies = (role?.Properties as { Policies?: Array<{ PolicyDocument: { Statement: unknown[] } }> } | undefined)?.Policies;
  policies?.[0]?.PolicyDocument.Statement.push(TRACING_STATEMENT);
}

/** A model function as the framework compiled it. */
export interface PublishedFunction {
  key: string;
  entry: ReleaseSettings;
  /** `<service>-<stage>-<model>` */
  functionName: string;
  /** The framework's AWS::Lambda::Version of this deploy. */
  versionLogicalId: string;
}

export interface LiveAliasContext {
  service: string;
  stage: string;
  naming: LiveAliasNaming;
}

/** The alias of each model, and for those with a `rollout` or a scheduled `provisionedConcurrency` what drives it. */
export function liveAliasResources(functions: PublishedFunction[], ctx: LiveAliasContext): Record<string, Cfn> {
  const resources: Record<string, Cfn> = {};
  for (const fn of functions) {
    const normalized = ctx.naming.getNormalizedFunctionName(fn.key);
    const aliasId = aliasLogicalId(fn.key, ctx.naming);
    const version = { 'Fn::GetAtt': [fn.versionLogicalId, 'Version'] };
    const dependsOn = [ctx.naming.getLambdaLogicalId(fn.key)];
    let updatePolicy: Cfn | undefined;

    const { rollout } = fn.entry;
    if (rollout) {
      const alarms = rolloutAlarms({ model: fn.key, functionName: fn.functionName, version }, rollout);
      const alarmIds: string[] = [];
      for (const [name, alarm] of Object.entries(alarms) as Array<[RolloutAlarm, Cfn | undefined]>) {
        if (!alarm) continue;
        const id = `${normalized}${name[0]!.toUpperCase()}${name.slice(1)}Alarm`;
        resources[id] = alarm;
        alarmIds.push(id);
      }
      const groupId = `${normalized}DeploymentGroup`;
      resources[groupId] = deploymentGroup(fn.functionName, rollout, alarmIds);
      Object.assign(resources, codeDeployApplication(ctx.service, ctx.stage));
      updatePolicy = aliasUpdatePolicy(groupId);
      // The alarms watch the new version before CodeDeploy starts shifting traffic to it.
      dependsOn.push(...alarmIds);
    }

    const provisioned = aliasProvisionedConcurrency(fn.entry.provisionedConcurrency);
    resources[aliasId] = {
      Type: 'AWS::Lambda::Alias',
      DependsOn: dependsOn,
      Properties: {
        FunctionName: { Ref: ctx.naming.getLambdaLogicalId(fn.key) },
        FunctionVersion: version,
        Name: LIVE_ALIAS,
        Description: `onnxless: the version ${fn.key}'s routes invoke`,
        ...(provisioned ? { ProvisionedConcurrencyConfig: provisioned } : {}),
      },
      ...(updatePolicy ? { UpdatePolicy: updatePolicy } : {}),
    };

    const schedule = scheduledProvisionedConcurrency(fn.entry.provisionedConcurrency, {
      functionName: fn.functionName,
      alias: LIVE_ALIAS,
      aliasLogicalId: aliasId,
    });
    if (schedule) resources[`${normalized}ProvisionedConcurrencyTarget`] = schedule;
  }
  return resources;
}

/**
 * Applies the settings to the plan's model functions (GPU models have none) and gives each traced
 * function's role the X-Ray statement; returns the keys of the functions served through `live`.
 */
export function useLiveAliases(
  plan: { functions: Record<string, object>; resources: Record<string, Cfn> },
  models: Record<string, ReleaseSettings>,
  naming: LiveAliasNaming,
  roleOf: (key: string) => string,
): string[] {
  const keys = Object.keys(models).filter((key) => models[key]!.runtime !== 'gpu' && plan.functions[key]);
  for (const key of keys) {
    const fn = plan.functions[key] as { environment?: Record<string, string> };
    const { environment, ...settings } = liveFunctionSettings(key, models[key]!, naming);
    Object.assign(fn, settings, { environment: { ...fn.environment, ...environment } });
    if (settings.tracing) addTracingPermission(plan.resources[roleOf(key)]);
  }
  return keys;
}
