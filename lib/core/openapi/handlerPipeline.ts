import { DEFAULT_MODEL_HANDLER } from '../registry/schema';
import { UnknownPipelineError } from './errors';

/**
 * The pipeline name a handler declares by its file name: `handlers/text-orientation.handler`
 * -> `textOrientation`. The handler module itself is never imported: it reads the model's
 * environment and loads native modules at import time.
 */
export function pipelineNameOfHandler(handler: string): string {
  const file = handler.slice(0, handler.lastIndexOf('.'));
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base.replace(/[-_.]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

/** Does this model have its own handler, hence a domain route? The same rule as the deployment plan. */
export function hasDomainRoute(handler: string | undefined): handler is string {
  return handler !== undefined && handler !== DEFAULT_MODEL_HANDLER;
}

/**
 * The declared pipeline behind a model's custom handler: the `overrides` entry for the handler
 * when there is one, else the name derived from its file. Fails naming the valid pipelines.
 */
export function resolveHandlerPipeline<T>(
  model: string,
  handler: string,
  pipelines: Readonly<Record<string, T>>,
  overrides: Readonly<Record<string, string>> = {},
): { name: string; pipeline: T } {
  const name = Object.hasOwn(overrides, handler) ? (overrides[handler] as string) : pipelineNameOfHandler(handler);
  if (!Object.hasOwn(pipelines, name)) throw new UnknownPipelineError(model, handler, name, Object.keys(pipelines));
  return { name, pipeline: pipelines[name] as T };
}
