import { versionOfWeights } from '../http/routeTable';
import { SERVER_INFO } from '../http/serverInfo';
import { DEFAULT_LIMITS } from '../protocol/limits';
import { memberModelName, type Registry } from '../registry/schema';
import { OpenApiError } from './errors';
import { errorResponses } from './errorResponses';
import { hasDomainRoute, pipelineNameOfHandler, resolveHandlerPipeline } from './handlerPipeline';
import { UnknownPipelineError } from './errors';
import { modelPaths, type DomainRoute } from './modelPaths';
import { addJobPaths } from './jobPaths';
import { addRepositoryPaths } from './repositoryPaths';
import { OIP_SCHEMAS } from './oipSchemas';
import { securityOf } from './securitySchemes';
import { SERVER_TAG, serverPaths } from './serverPaths';
import type { OpenApiDocument, PipelineDeclaration, ServerObject } from './types';

export interface OpenApiOptions {
  /**
   * The declared pipelines by name: `pipelines` from lib/core/builtins, or plain declarations. A
   * model's custom handler maps to one by its file name (handlers/text-orientation.ts ->
   * textOrientation) unless `handlerPipelines` says otherwise.
   */
  pipelines: Readonly<Record<string, PipelineDeclaration>>;
  /** Handler (`handlers/ocr.handler`) -> pipeline name, for handler files not named after their pipeline. */
  handlerPipelines?: Readonly<Record<string, string>>;
  title?: string;
  /** info.version; default: the package version. */
  version?: string;
  description?: string;
  /** Base URLs of the API (the API Gateway endpoint, http://localhost:3000); none: relative to the document. */
  servers?: readonly ServerObject[];
  /** The request body limit quoted in the 413 answer; default: the runtime's. */
  maxBodyBytes?: number;
  /** Where the document itself is served (a GET route in the document); false: not served. */
  documentPath?: string | false;
  /**
   * A handler whose pipeline is not among `pipelines`: 'fail' (default) names the declared ones;
   * 'open' describes its domain route as open (any JSON or bytes in, JSON out). The plugin uses
   * 'open': a user's own handlers are code it does not load at package time.
   */
  undeclared?: 'fail' | 'open';
}

/** The domain route of a handler the document knows nothing of but its file: any body in, JSON out. */
function openDomainRoute(handler: string): DomainRoute {
  return {
    name: pipelineNameOfHandler(handler),
    pipeline: {
      accepts: ['application/json', 'application/octet-stream'],
      description: `The model's own pre- and post-processing (${handler}); what it accepts and answers is its own.`,
    },
  };
}

const DEFAULTS = {
  title: 'onnxless',
  description:
    'ONNX models served as HTTP APIs: Open Inference Protocol v2 routes per model on raw tensors, and ' +
    "POST /models/{name}/predict, in the model's own terms, for each model with its own handler.",
  maxBodyBytes: DEFAULT_LIMITS.maxBodyBytes,
  documentPath: '/openapi.json',
} as const;

const GENERIC_HANDLER_TAG = 'Generic tensor handler: raw OIP v2 tensors in and out, no domain route.';

/**
 * The OpenAPI 3.0.3 document of the API a registry deploys: the server routes, every model's
 * OIP routes and, for a model with its own handler, its domain route described by its
 * pipeline's declarations. Pure: no file, no environment, no model is read; a new document
 * (sharing nothing with its inputs) on every call.
 */
export function buildOpenApiDocument(
  registry: Pick<Registry, 'auth' | 'models'> & Partial<Pick<Registry, 'pipelines' | 'jobs' | 'repositories'>>,
  options: OpenApiOptions,
): OpenApiDocument {
  const settings = checkOptions(options);
  const auth = registry.auth.type;
  const security = securityOf(registry.auth);
  const document: OpenApiDocument = {
    openapi: '3.0.3',
    info: { title: settings.title, version: settings.version, description: settings.description },
    ...(settings.servers.length > 0 ? { servers: [...settings.servers] } : {}),
    tags: [{ name: SERVER_TAG, description: 'Server-level routes: metadata and health.' }],
    paths: serverPaths(auth, settings.documentPath),
    components: {
      schemas: { ...OIP_SCHEMAS },
      responses: errorResponses(settings.maxBodyBytes),
      ...(security.schemes ? { securitySchemes: security.schemes } : {}),
    },
    ...(security.requirement ? { security: security.requirement } : {}),
  };
  for (const [model, entry] of Object.entries(registry.models)) {
    const domain = domainRoute(model, entry.handler, settings);
    document.tags.push({ name: model, description: domain ? domain.pipeline.description : GENERIC_HANDLER_TAG });
    const version = versionOfWeights(entry.weights);
    Object.assign(document.paths, modelPaths(model, domain, auth, version === undefined ? [] : [version]));
  }
  // A pipeline of models (docs/pipelines.md): its domain route and ready route, and each member's OIP routes.
  for (const [name, entry] of Object.entries(registry.pipelines ?? {})) {
    const domain = declaredRoute(name, entry.handler, settings);
    document.tags.push({ name, description: domain.pipeline.description });
    const own = modelPaths(name, domain, auth, []);
    for (const path of Object.keys(own)) if (path.endsWith('/predict') || path.endsWith('/ready')) document.paths[path] = own[path]!;
    for (const [role, member] of Object.entries(entry.models)) {
      const model = memberModelName(name, role);
      document.tags.push({ name: model, description: `The ${role} model of the ${name} pipeline, on raw tensors.` });
      const version = versionOfWeights(member.weights);
      Object.assign(document.paths, modelPaths(model, undefined, auth, version === undefined ? [] : [version]));
    }
  }
  // A repository (docs/repository.md): every model its index lists, on the path-variable routes its function takes.
  for (const [name, entry] of Object.entries(registry.repositories ?? {})) {
    const domain = domainRoute(name, entry.handler, settings);
    addRepositoryPaths(document, { name, ...(domain ? { domain } : {}) }, auth);
  }
  // Asynchronous requests (`jobs:`): on every Lambda function's models, as the deploy routes them.
  if (registry.jobs) addJobPaths(document, jobModels(registry), auth);
  // Shared constants and the pipelines' own schemas must not be reachable through the result.
  return structuredClone(document);
}

/** The document as the JSON text a route serves or the build writes. */
export function openApiJson(
  registry: Pick<Registry, 'auth' | 'models'> & Partial<Pick<Registry, 'pipelines' | 'jobs' | 'repositories'>>,
  options: OpenApiOptions,
): string {
  return `${JSON.stringify(buildOpenApiDocument(registry, options), null, 2)}\n`;
}

/** The models whose functions take jobs: every Lambda model, each pipeline and its members (not SageMaker endpoints). */
function jobModels(registry: Pick<Registry, 'models'> & Partial<Pick<Registry, 'pipelines'>>): string[] {
  const models = Object.entries(registry.models)
    .filter(([, entry]) => entry.runtime !== 'gpu')
    .map(([name]) => name);
  for (const [name, entry] of Object.entries(registry.pipelines ?? {}))
    models.push(name, ...Object.keys(entry.models).map((role) => memberModelName(name, role)));
  return models;
}

type Settings = Required<
  Pick<OpenApiOptions, 'pipelines' | 'handlerPipelines' | 'title' | 'version' | 'description' | 'servers' | 'maxBodyBytes' | 'undeclared'>
> & {
  documentPath: string | undefined;
};

function checkOptions(options: OpenApiOptions): Settings {
  const declared = Object.keys(options.pipelines);
  const handlerPipelines = options.handlerPipelines ?? {};
  for (const [handler, name] of Object.entries(handlerPipelines)) {
    if (!declared.includes(name)) {
      throw new OpenApiError(
        `handlerPipelines: '${handler}' maps to '${name}', which is not declared; declared pipelines: ${declared.join(', ') || 'none'}`,
      );
    }
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new OpenApiError(`maxBodyBytes: expected a positive whole number of bytes, got ${maxBodyBytes}`);
  }
  const documentPath = options.documentPath === false ? undefined : (options.documentPath ?? DEFAULTS.documentPath);
  if (documentPath !== undefined && !/^\/[^?#\s]*$/.test(documentPath)) {
    throw new OpenApiError(`documentPath: expected a path starting with '/', got '${documentPath}'`);
  }
  return {
    pipelines: options.pipelines,
    handlerPipelines,
    title: options.title ?? DEFAULTS.title,
    version: options.version ?? SERVER_INFO.version,
    description: options.description ?? DEFAULTS.description,
    servers: options.servers ?? [],
    maxBodyBytes,
    documentPath,
    undeclared: options.undeclared ?? 'fail',
  };
}

function domainRoute(model: string, handler: string | undefined, settings: Settings): DomainRoute | undefined {
  if (!hasDomainRoute(handler)) return undefined;
  return declaredRoute(model, handler, settings);
}

function declaredRoute(model: string, handler: string, settings: Settings): DomainRoute {
  try {
    return resolveHandlerPipeline(model, handler, settings.pipelines, settings.handlerPipelines);
  } catch (err) {
    if (err instanceof UnknownPipelineError && settings.undeclared === 'open') return openDomainRoute(handler);
    throw err;
  }
}
