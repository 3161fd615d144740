import { ENV } from '../../core/config/env';
import { ROUTE_TABLE, type ConcreteRoute } from '../../core/http/routeTable';
import { parseS3Uri, type RepositoryEntry, type Registry } from '../../core/registry/index';
import { defaultDiskBudgetBytes } from '../../core/repository/residentBudget';
import { LAMBDA_LIMITS, PACKAGE_HANDLERS } from './defaults';
import type { DeploymentPlan, HttpApiEvent, PlanContext } from './DeploymentPlan';
import { functionRole, roleLogicalId } from './functionRole';
import { planLambdaFunction } from './lambdaFunction';
import { useLayers } from './layerConfig';

/** A repository's defaults: the memory of a model function, and Lambda's free /tmp. */
export const REPOSITORY_DEFAULTS = { memorySize: 2048, ephemeralStorage: LAMBDA_LIMITS.ephemeralMb.min } as const;

/**
 * A `kind: repository` entry -> ONE function for every model its index lists, however many: the
 * model routes with the model as a path variable (`/v2/models/{model}/infer`, ...), and a role
 * that reads the objects under the repository's prefix and nothing else. The single models'
 * literal routes still win for their names: API Gateway picks an exact match before a path
 * variable (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html,
 * "Routing API requests"), so the repository answers the names no other entry takes.
 */
export function planRepositoryFunctions(
  registry: Registry,
  ctx: PlanContext,
  plan: DeploymentPlan,
  authorizer: HttpApiEvent['httpApi']['authorizer'],
  problems: string[],
): void {
  for (const [name, entry] of Object.entries(registry.repositories ?? {})) {
    const fn = planLambdaFunction(
      {
        name,
        kind: 'repository',
        handler: entry.handler ?? PACKAGE_HANDLERS.repository.handler,
        settings: { ...entry, memorySize: entry.memorySize ?? REPOSITORY_DEFAULTS.memorySize },
        size: undefined,
        environment: () => repositoryEnvironment(name, entry),
        routes: () => repositoryRoutes(entry),
      },
      ctx,
      authorizer,
      problems,
    );
    if (!fn) continue;
    fn.ephemeralStorageSize = entry.ephemeralStorage ?? REPOSITORY_DEFAULTS.ephemeralStorage;
    fn.layers = useLayers(['onnxruntime', ...(entry.layers ?? [])], fn.architecture, ctx.runtime, ctx, plan);
    plan.functions[name] = fn;
    // `s3://bucket/models/` -> s3:GetObject on bucket/models/*: the index and every model's files.
    plan.resources[roleLogicalId(name, ctx)] = functionRole(name, fn.name, parseS3Uri(entry.prefix));
  }
}

/** The route table's model routes (and the domain route, with a handler), the model and version as path variables. */
export function repositoryRoutes(entry: Pick<RepositoryEntry, 'handler'>): ConcreteRoute[] {
  return ROUTE_TABLE.filter((r) => r.scope === 'model' || (r.scope === 'domain' && entry.handler !== undefined)).map(
    ({ method, template }) => ({ method, path: template }),
  );
}

/** What the repository handler reads (lib/lambda/repositoryConfigFromEnv.ts). */
export function repositoryEnvironment(name: string, entry: RepositoryEntry): Record<string, string> {
  const ephemeralMb = entry.ephemeralStorage ?? REPOSITORY_DEFAULTS.ephemeralStorage;
  const env: Record<string, string> = {
    [ENV.repositoryName]: name,
    [ENV.repositoryPrefix]: entry.prefix,
    [ENV.repositoryDiskMb]: String(defaultDiskBudgetBytes(ephemeralMb) / (1024 * 1024)),
  };
  if (entry.sessionMemoryMB !== undefined) env[ENV.repositorySessionMb] = String(entry.sessionMemoryMB);
  if (entry.maxLoadedModels !== undefined) env[ENV.repositoryMaxModels] = String(entry.maxLoadedModels);
  if (entry.indexTtlSeconds !== undefined) env[ENV.repositoryIndexTtlSeconds] = String(entry.indexTtlSeconds);
  // Comma-separated (names have no commas); an empty list is a value too: every model under `_other`.
  if (entry.metricModels !== undefined) env[ENV.repositoryMetricModels] = entry.metricModels.join(',');
  if (entry.intraOpThreads !== undefined) env[ENV.intraOpThreads] = String(entry.intraOpThreads);
  if (entry.graphOptimization !== undefined) env[ENV.graphOptimization] = entry.graphOptimization;
  return env;
}
