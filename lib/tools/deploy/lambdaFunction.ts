import type { LambdaNodeRuntime, ModelEntry } from '../../core/registry/index';
import type { ConcreteRoute } from '../../core/http/routeTable';
import { LAMBDA_LIMITS, MODEL_FUNCTION_DEFAULTS, ephemeralStorageMb, memorySizeMb } from './defaults';
import type { FunctionConfig, HttpApiEvent, PlanContext } from './DeploymentPlan';
import { roleLogicalId } from './functionRole';

/** A Lambda function that serves models: a model's own (plan.ts), a pipeline's (pipelineFunction.ts) or a repository's (repositoryFunction.ts). */
export interface LambdaFunctionSpec {
  /** The registry key: the function's key and the name in its messages. */
  name: string;
  kind: 'model' | 'pipeline' | 'repository';
  handler: string;
  settings: Pick<ModelEntry, 'architecture' | 'memorySize' | 'timeout' | 'reservedConcurrency'>;
  runtime?: LambdaNodeRuntime;
  /** Bytes of every weight file it holds in /tmp at once (undefined: unknown). */
  size: number | undefined;
  environment: () => Record<string, string>;
  routes: () => ConcreteRoute[];
}

/**
 * Lambda's limits checked (function name, handler source, /tmp for the weights), each problem
 * named for the registry entry; then the function: defaults sized from the weights, its own role,
 * its routes, only its own bundle.
 */
export function planLambdaFunction(
  spec: LambdaFunctionSpec,
  ctx: PlanContext,
  authorizer: HttpApiEvent['httpApi']['authorizer'],
  problems: string[],
): FunctionConfig | undefined {
  const { name, kind, handler, settings, size } = spec;
  const before = problems.length;
  const fnName = functionName(name, ctx);
  if (fnName.length > LAMBDA_LIMITS.functionName) {
    problems.push(
      `model '${name}': name: the function name '${fnName}' has ${fnName.length} characters, Lambda allows ${LAMBDA_LIMITS.functionName}; shorten the ${kind === 'model' ? 'model ' : ''}name, service or stage`,
    );
  }
  const handlerFile = handler.slice(0, handler.lastIndexOf('.'));
  if (ctx.handlerExists && !ctx.handlerExists(handlerFile)) {
    problems.push(`model '${name}': handler: no source file ${handlerFile}.ts (or .js, .mjs, .cjs, .mts) for '${handler}'`);
  }
  const ephemeralStorageSize = size === undefined ? undefined : ephemeralStorageMb(size);
  if (ephemeralStorageSize !== undefined && ephemeralStorageSize > LAMBDA_LIMITS.ephemeralMb.max) {
    problems.push(
      kind === 'model'
        ? `model '${name}': size: ${size} bytes of weights need ${ephemeralStorageSize} MB of /tmp, Lambda allows ${LAMBDA_LIMITS.ephemeralMb.max}; serve this model from a container`
        : `model '${name}': models: ${size} bytes of weights together need ${ephemeralStorageSize} MB of /tmp, Lambda allows ${LAMBDA_LIMITS.ephemeralMb.max}; serve this pipeline from a container`,
    );
  }
  if (problems.length > before) return undefined;
  return {
    name: fnName,
    handler,
    ...(spec.runtime ? { runtime: spec.runtime } : {}),
    architecture: settings.architecture ?? MODEL_FUNCTION_DEFAULTS.architecture,
    memorySize: settings.memorySize ?? memorySizeMb(size),
    timeout: settings.timeout ?? MODEL_FUNCTION_DEFAULTS.timeout,
    ...(ephemeralStorageSize === undefined ? {} : { ephemeralStorageSize }),
    environment: spec.environment(),
    role: roleLogicalId(name, ctx),
    ...(settings.reservedConcurrency === undefined ? {} : { reservedConcurrency: settings.reservedConcurrency }),
    events: spec.routes().map(({ method, path }) => httpApiEvent(method, path, authorizer)),
    package: onlyOwnBundle(handlerFile, ctx),
  };
}

export function onlyOwnBundle(handlerFile: string, ctx: PlanContext): { patterns: string[] } {
  const bundle = `${handlerFile}${ctx.bundleExtension}`;
  return { patterns: ['!**', bundle, `${bundle}.map`] };
}

export function httpApiEvent(
  method: HttpApiEvent['httpApi']['method'],
  path: string,
  authorizer: HttpApiEvent['httpApi']['authorizer'],
): HttpApiEvent {
  return { httpApi: { method, path, ...(authorizer ? { authorizer } : {}) } };
}

export function functionName(key: string, ctx: Pick<PlanContext, 'service' | 'stage'>): string {
  return `${ctx.service}-${ctx.stage}-${key}`;
}
