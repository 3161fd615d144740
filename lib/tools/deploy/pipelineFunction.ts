import { ENV } from '../../core/config/env';
import { modelRoutes, versionOfWeights, type ConcreteRoute, type ModelRoutesInfo } from '../../core/http/routeTable';
import { memberModelName, parseS3Uri, type PipelineEntry, type Registry } from '../../core/registry/index';
import type { DeploymentPlan, HttpApiEvent, PlanContext } from './DeploymentPlan';
import { functionRole, roleLogicalId } from './functionRole';
import { planLambdaFunction } from './lambdaFunction';
import { useLayers } from './layerConfig';

/**
 * A `kind: pipeline` entry -> one function holding every member's session: the pipeline's routes
 * and each member's OIP routes (`<pipeline>-<role>`), a role that reads exactly the members'
 * objects, and memory and /tmp sized for the members' weights together (they are all in /tmp and
 * in memory at once).
 */
export function planPipelineFunctions(
  registry: Registry,
  ctx: PlanContext,
  plan: DeploymentPlan,
  authorizer: HttpApiEvent['httpApi']['authorizer'],
  problems: string[],
): void {
  for (const [name, entry] of Object.entries(registry.pipelines ?? {})) {
    const fn = planLambdaFunction(
      {
        name,
        kind: 'pipeline',
        handler: entry.handler,
        settings: entry,
        size: pipelineSize(entry),
        environment: () => pipelineEnvironment(name, entry),
        routes: () => pipelineRoutes(name, entry),
      },
      ctx,
      authorizer,
      problems,
    );
    if (!fn) continue;
    fn.layers = useLayers(['onnxruntime', ...(entry.layers ?? [])], fn.architecture, ctx.runtime, ctx, plan);
    plan.functions[name] = fn;
    plan.resources[roleLogicalId(name, ctx)] = functionRole(
      name,
      fn.name,
      Object.values(entry.models).map((m) => parseS3Uri(m.weights)),
    );
  }
}

/** The pipeline's own name has no tensors: only its predict and ready routes; each member has all of its OIP routes. */
export function pipelineRoutes(name: string, entry: PipelineEntry): ConcreteRoute[] {
  return Object.entries(pipelineCatalog(name, entry)).flatMap(([model, info]) =>
    modelRoutes(model, info).filter((r) => model !== name || r.path.endsWith('/predict') || r.path.endsWith('/ready')),
  );
}

/** Bytes of every member's weights together; unknown when a member's size is not given. */
export function pipelineSize(entry: PipelineEntry): number | undefined {
  const sizes = Object.values(entry.models).map((m) => m.size);
  return sizes.some((s) => s === undefined) ? undefined : sizes.reduce<number>((sum, s) => sum + s!, 0);
}

/** The pipeline's own domain route, and each member as a model with its version and no domain route. */
export function pipelineCatalog(name: string, entry: PipelineEntry): Record<string, ModelRoutesInfo> {
  const catalog: Record<string, ModelRoutesInfo> = { [name]: { versions: [], predict: true } };
  for (const [role, member] of Object.entries(entry.models)) {
    const version = versionOfWeights(member.weights);
    catalog[memberModelName(name, role)] = { versions: version === undefined ? [] : [version], predict: false };
  }
  return catalog;
}

/** What the pipeline handler reads (lib/lambda/pipelineConfigFromEnv.ts). */
export function pipelineEnvironment(name: string, entry: PipelineEntry): Record<string, string> {
  const members = Object.fromEntries(
    Object.entries(entry.models).map(([role, member]) => {
      const version = versionOfWeights(member.weights);
      return [
        role,
        {
          name: memberModelName(name, role),
          uri: member.weights,
          ...(member.sha256 ? { sha256: member.sha256 } : {}),
          ...(version ? { version } : {}),
        },
      ];
    }),
  );
  const env: Record<string, string> = { [ENV.modelName]: name, [ENV.pipelineModels]: JSON.stringify(members) };
  if (entry.eager !== undefined) env[ENV.eager] = String(entry.eager);
  if (entry.intraOpThreads !== undefined) env[ENV.intraOpThreads] = String(entry.intraOpThreads);
  if (entry.graphOptimization !== undefined) env[ENV.graphOptimization] = entry.graphOptimization;
  return env;
}
