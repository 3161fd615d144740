import type { RouterOptions } from '../http/routes';
import { openApiJson } from '../openapi/buildOpenApiDocument';
import type { PipelineDeclaration } from '../openapi/types';
import type { Pipeline } from '../pipeline/Pipeline';
import type { ModelEntry } from '../registry/schema';
import { createBrowserPages } from './browserPages';

/** What the pages need of a served model (the server's config entry has these and more). */
export interface ServedPageModel {
  /** The version `onnxless push` wrote, when the model is served as one. */
  version?: string;
  /** The name of its domain pipeline, when it has a `POST /models/{name}/predict` route. */
  pipeline?: string;
}

/**
 * `onnxless serve`'s OpenAPI document and browser pages: the served models described as the
 * deployed API describes them (no auth: the server has none), built once, on the first request
 * for /openapi.json, /docs or /playground.
 */
export function servedPages(
  models: Readonly<Record<string, ServedPageModel>>,
  resolvePipeline: ((name: string) => Pipeline) | undefined,
  /** The server takes asynchronous requests (lib/core/jobs): the document lists their routes. */
  jobs = false,
): Pick<RouterOptions, 'openApi' | 'pages'> {
  let document: string | undefined;
  return {
    openApi: () => (document ??= servedOpenApi(models, resolvePipeline, jobs)),
    pages: createBrowserPages(),
  };
}

/**
 * The document builder reads a registry: each served model becomes an entry whose key carries
 * its version (as `onnxless push` writes it) and whose handler maps to its pipeline.
 */
export function servedOpenApi(
  models: Readonly<Record<string, ServedPageModel>>,
  resolvePipeline: ((name: string) => Pipeline) | undefined,
  jobs = false,
): string {
  const entries: Record<string, ModelEntry> = {};
  const pipelines: Record<string, PipelineDeclaration> = {};
  const handlerPipelines: Record<string, string> = {};
  for (const [name, served] of Object.entries(models)) {
    const entry: ModelEntry = { weights: served.version === undefined ? `served://${name}/` : `served://${name}/${served.version}/` };
    if (served.pipeline !== undefined && resolvePipeline) {
      entry.handler = `served/${name}.handler`;
      handlerPipelines[entry.handler] = served.pipeline;
      pipelines[served.pipeline] = resolvePipeline(served.pipeline);
    }
    entries[name] = entry;
  }
  // The document reads only whether there are jobs; where serve keeps them is its own setting.
  const registry = { auth: { type: 'none' as const }, models: entries, ...(jobs ? { jobs: { prefix: 'jobs/', webhookHosts: [] } } : {}) };
  return openApiJson(registry, { pipelines, handlerPipelines });
}
