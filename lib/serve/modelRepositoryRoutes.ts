import { BadRequestError, MethodNotAllowedError, NotFoundError, redactInternals } from '../core/errors';
import { jsonResponse, type HttpRequest, type HttpResponse } from '../core/http/HttpTypes';
import type { Endpoint } from '../core/inference/Endpoint';
import type { Pipeline } from '../core/pipeline/Pipeline';
import type { ProtocolLimits } from '../core/protocol/limits';
import { clip } from '../core/protocol/names';
import type { ListedModel } from '../core/repository/ModelRepository';
import type { ServedModel } from './ServedModel';

/** What these routes and the server need of a model repository (ModelRepository). */
export interface ServedRepository {
  readonly name: string;
  readonly limits: ProtocolLimits;
  readonly pipeline?: Pipeline;
  endpoint(model: string): Promise<Endpoint | undefined>;
  lookup(model: string): Promise<unknown>;
  unload(model: string): Promise<boolean>;
  list(): Promise<ListedModel[]>;
  lists(model: string): boolean;
}

/**
 * Triton's model repository extension on `onnxless serve`
 * (triton-inference-server/server docs/protocol/extension_model_repository.md), over the models
 * this server is configured with and those its repository's index lists:
 * - `POST /v2/repository/index` (`{"ready": true}` optional): each model with its version and
 *   state, `READY`, `LOADING` or `UNAVAILABLE` with the reason;
 * - `POST /v2/repository/models/{m}/load`: loads the model now, on the worker threads (the HTTP
 *   thread only waits), 200 once it is ready;
 * - `POST /v2/repository/models/{m}/unload`: releases its sessions on every worker thread once
 *   the calls in flight end, 200 at once; its next request (or load) loads it again.
 * An unknown model is a 404. Undefined for a path that is not one of these.
 */
export async function modelRepositoryRoute(
  req: HttpRequest,
  models: ReadonlyMap<string, ServedModel>,
  repository?: ServedRepository,
): Promise<HttpResponse | undefined> {
  if (req.path === '/v2/repository/index') {
    allowPost(req);
    const ready = readyOnly(req.body);
    const listed = repository ? (await repository.list()).filter((m) => !models.has(m.name)) : [];
    const entries = [...configuredIndex(models), ...listed];
    return jsonResponse(200, ready ? entries.filter((e) => e.state === 'READY') : entries);
  }
  const match = /^\/v2\/repository\/models\/([^/]+)\/(load|unload)$/.exec(req.path);
  if (!match) return undefined;
  allowPost(req);
  const name = safeDecode(match[1] as string);
  const unload = match[2] === 'unload';
  const model = models.get(name);
  if (model) {
    // The calls in flight finish first; the answer does not wait for the threads to release.
    if (unload) void model.pooledLoader.unload().catch(() => undefined);
    else await model.pooledLoader.load();
    return jsonResponse(200, {});
  }
  if (repository && (unload ? await repository.unload(name) : await loadListed(repository, name))) return jsonResponse(200, {});
  const where = repository ? ` (nor listed by repository '${repository.name}')` : '';
  throw new NotFoundError(`unknown model '${clip(name)}'${where}; served here: ${[...models.keys()].join(', ') || 'none'}`);
}

/** Loads a model the repository lists; false when it lists none of that name. */
async function loadListed(repository: ServedRepository, name: string): Promise<boolean> {
  const endpoint = await repository.endpoint(name);
  if (!endpoint) return false;
  await endpoint.load();
  return true;
}

/** The route names the metrics count these under (never raw paths). */
export function modelRepositoryRouteName(path: string): string | undefined {
  if (path === '/v2/repository/index') return '/v2/repository/index';
  const match = /^\/v2\/repository\/models\/[^/]+\/(load|unload)$/.exec(path);
  return match ? `/v2/repository/models/{model}/${match[1]}` : undefined;
}

function configuredIndex(models: ReadonlyMap<string, ServedModel>): ListedModel[] {
  return [...models.values()].map((model): ListedModel => {
    const loader = model.pooledLoader;
    const state = loader.isLoaded ? 'READY' : loader.failure !== undefined || loader.unloaded ? 'UNAVAILABLE' : 'LOADING';
    // The same redaction as a model route's 503: the index names no bucket, key or path.
    const reason = loader.isLoaded
      ? ''
      : loader.failure !== undefined
        ? redactInternals(loader.failure)
        : loader.unloaded
          ? 'unloaded: its next request loads it again'
          : 'not loaded yet';
    return { name: model.name, ...(model.version === undefined ? {} : { version: model.version }), state, reason };
  });
}

/** `{"ready": true}`, or an empty body; anything else is the caller's mistake. */
function readyOnly(body: Buffer): boolean {
  if (body.length === 0) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestError('the repository index request must be JSON, e.g. {"ready": true}');
  }
  const ready = (parsed as { ready?: unknown } | null)?.ready;
  if (typeof parsed !== 'object' || parsed === null || (ready !== undefined && typeof ready !== 'boolean')) {
    throw new BadRequestError('the repository index request is {"ready": true|false}, ready optional');
  }
  return ready === true;
}

function allowPost(req: HttpRequest): void {
  if (req.method !== 'POST') throw new MethodNotAllowedError(req.method, clip(req.path, 128), ['POST']);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
