import { BadRequestError, MethodNotAllowedError, NotFoundError, redactInternals } from '../core/errors';
import { jsonResponse, type HttpRequest, type HttpResponse } from '../core/http/HttpTypes';
import { clip } from '../core/protocol/names';
import type { ServedModel } from './ServedModel';

/**
 * Triton's model repository extension on `onnxless serve`
 * (triton-inference-server/server docs/protocol/extension_model_repository.md), over the models
 * this server serves:
 * - `POST /v2/repository/index` (`{"ready": true}` optional): each model with its version and
 *   state, `READY`, `LOADING` or `UNAVAILABLE` with the reason;
 * - `POST /v2/repository/models/{m}/load`: loads the model now, on the worker threads (the HTTP
 *   thread only waits), 200 once it is ready;
 * - `POST /v2/repository/models/{m}/unload`: refused (400): serve's sessions live on its worker
 *   threads until it stops, and no worker message unloads one yet.
 * An unknown model is a 404, naming the served ones. Undefined for a path that is not one of these.
 */
export async function modelRepositoryRoute(req: HttpRequest, models: ReadonlyMap<string, ServedModel>): Promise<HttpResponse | undefined> {
  if (req.path === '/v2/repository/index') {
    allowPost(req);
    return jsonResponse(200, repositoryIndex(models, readyOnly(req.body)));
  }
  const match = /^\/v2\/repository\/models\/([^/]+)\/(load|unload)$/.exec(req.path);
  if (!match) return undefined;
  allowPost(req);
  const name = safeDecode(match[1] as string);
  const model = models.get(name);
  if (!model) throw new NotFoundError(`unknown model '${clip(name)}'; served here: ${[...models.keys()].join(', ') || 'none'}`);
  if (match[2] === 'unload') {
    throw new BadRequestError(
      `model '${model.name}' cannot be unloaded: onnxless serve keeps its sessions on the worker threads until it stops`,
    );
  }
  await model.pooledLoader.load();
  return jsonResponse(200, {});
}

/** The route names the metrics count these under (never raw paths). */
export function modelRepositoryRouteName(path: string): string | undefined {
  if (path === '/v2/repository/index') return '/v2/repository/index';
  const match = /^\/v2\/repository\/models\/[^/]+\/(load|unload)$/.exec(path);
  return match ? `/v2/repository/models/{model}/${match[1]}` : undefined;
}

interface IndexEntry {
  name: string;
  version?: string;
  state: 'READY' | 'LOADING' | 'UNAVAILABLE';
  reason: string;
}

function repositoryIndex(models: ReadonlyMap<string, ServedModel>, readyOnly: boolean): IndexEntry[] {
  const entries = [...models.values()].map((model): IndexEntry => {
    const loader = model.pooledLoader;
    const state = loader.isLoaded ? 'READY' : loader.failure !== undefined ? 'UNAVAILABLE' : 'LOADING';
    // The same redaction as a model route's 503: the index names no bucket, key or path.
    const reason = loader.isLoaded ? '' : loader.failure !== undefined ? redactInternals(loader.failure) : 'not loaded yet';
    return { name: model.name, ...(model.version === undefined ? {} : { version: model.version }), state, reason };
  });
  return readyOnly ? entries.filter((e) => e.state === 'READY') : entries;
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
