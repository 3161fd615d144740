import { ENV } from '../config/env';
import { modelRoutes, versionOfWeights, type ConcreteRoute, type ModelRoutesInfo } from '../http/routeTable';
import { memberModelName, parseS3Uri, type PipelineEntry, type Registry } from '../registry/index';
import { LAMBDA_LIMITS, MODEL_FUNCTION_DEFAULTS, ephemeralStorageMb, memorySizeMb } from './defaults';
import {
  functionName, functionRole, httpApiEvent, onlyOwnBundle, roleLogicalId, useLayers,
  type DeploymentPlan, type FunctionConfig, type HttpApiEvent, type PlanContext,
} from './plan';

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
    const before = problems.length;
    const fnName = functionName(name, ctx);
    if (fnName.length > LAMBDA_LIMITS.functionName) {
      problems.push(`model '${name}': name: the function name '${fnName}' has ${fnName.length} characters, Lambda allows ${LAMBDA_LIMITS.functionName}; shorten the name, service or stage`);
    }
    const handlerFile = entry.handler.slice(0, entry.handler.lastIndexOf('.'));
    if (ctx.handlerExists && !ctx.handlerExists(handlerFile)) {
      problems.push(`model '${name}': handler: no source file ${handlerFile}.ts (or .js, .mjs, .cjs, .mts) for '${entry.handler}'`);
    }
    const size = pipelineSize(entry);
    const ephemeralStorageSize = size === undefined ? undefined : ephemeralStorageMb(size);
    if (ephemeralStorageSize !== undefined && ephemeralStorageSize > LAMBDA_LIMITS.ephemeralMb.max) {
      problems.push(`model '${name}': models: ${size} bytes of weights together need ${ephemeralStorageSize} MB of /tmp, Lambda allows ${LAMBDA_LIMITS.ephemeralMb.max}; serve this pipeline from a container`);
    }
    if (problems.length > before) continue;
    const routes = pipelineRoutes(name, entry);
    const fn: FunctionConfig = {
      name: fnName,
      handler: entry.handler,
      architecture: entry.architecture ?? MODEL_FUNCTION_DEFAULTS.architecture,
      memorySize: entry.memorySize ?? memorySizeMb(size),
      timeout: entry.timeout ?? MODEL_FUNCTION_DEFAULTS.timeout,
      ...(ephemeralStorageSize === undefined ? {} : { ephemeralStorageSize }),
      environment: pipelineEnvironment(name, entry),
      role: roleLogicalId(name, ctx),
      ...(entry.reservedConcurrency === undefined ? {} : { reservedConcurrency: entry.reservedConcurrency }),
      events: routes.map(({ method, path }) => httpApiEvent(method, path, authorizer)),
      package: onlyOwnBundle(handlerFile, ctx),
    };
    fn.layers = useLayers(['onnxruntime', ...(entry.layers ?? [])], fn.architecture, ctx.runtime, ctx, plan);
    plan.functions[name] = fn;
    plan.resources[roleLogicalId(name, ctx)] = functionRole(name, fnName, Object.values(entry.models).map((m) => parseS3Uri(m.weights)));
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
      return [role, { name: memberModelName(name, role), uri: member.weights, ...(member.sha256 ? { sha256: member.sha256 } : {}), ...(version ? { version } : {}) }];
    }),
  );
  const env: Record<string, string> = { [ENV.modelName]: name, [ENV.pipelineModels]: JSON.stringify(members) };
  if (entry.eager !== undefined) env[ENV.eager] = String(entry.eager);
  if (entry.intraOpThreads !== undefined) env[ENV.intraOpThreads] = String(entry.intraOpThreads);
  if (entry.graphOptimization !== undefined) env[ENV.graphOptimization] = entry.graphOptimization;
  return env;
}
