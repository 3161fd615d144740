import type { S3Client } from '@aws-sdk/client-s3';
import { ENV, optionalPositiveInt } from '../core/config/env';
import { ModelUnavailableError } from '../core/errors';
import { WeightsCache } from '../core/cache/WeightsCache';
import { PowertoolsSink } from '../core/observability/PowertoolsSink';
import { fanOut } from '../core/observability/sinks';
import type { Pipeline } from '../core/pipeline/Pipeline';
import { defaultIntraOpThreads } from '../core/onnx/threads';
import type { ModelRepository } from '../core/repository/ModelRepository';
import type { ServeConfig } from './config';
import { ApiKeys } from './ApiKeys';
import { InferenceServer } from './InferenceServer';
import { PrometheusSink } from './PrometheusSink';
import { describeError, jsonLog, type ServerLog } from './log';
import { ServerMetrics } from './metrics';
import type { ServedModel } from './ServedModel';
import { pooledModel, type ModelDeps } from './pooledModel';
import { servedRepository } from './servedRepository';
import { ServeRouter } from './ServeRouter';
import { withRepositoryPaths } from './repositoryOpenApi';
import { servedPipelines } from './servedPipelines';
import { ProcessingPool } from './processingPool/ProcessingPool';
import { COLD_LOADS, WorkerPool } from './WorkerPool';
import { servedPages } from '../core/pages/servedPages';
import type { JobsSettings } from '../core/jobs/jobsFromEnv';
import { serveJobs } from './serveJobs';

export interface StartOptions {
  log?: ServerLog;
  s3Client?: S3Client;
  /** Looks a pipeline up by name (lib/core/builtins' getPipeline); needed only when an entry names one. */
  resolvePipeline?: (name: string) => Pipeline;
  /** Asynchronous requests (lib/core/jobs); default: ONNXLESS_JOBS_URI's, none where it is unset. */
  jobs?: JobsSettings;
}

export interface RunningServer {
  url: string;
  port: number;
  models: readonly ServedModel[];
  /** The config's model repository, when it has one: its counts (snapshot) for tests and the bench. */
  repository?: ModelRepository;
  metrics: ServerMetrics;
  pool: WorkerPool;
  /** Graceful stop: no new connections, in-flight requests finish, then the workers stop. True if nothing was cut. */
  drain(timeoutMs?: number): Promise<boolean>;
  /**
   * A task is out on an inference or processing thread now: after a drain that ran out of time,
   * a thread may be inside a native call (a run, a session's creation), which neither stopping
   * it nor `process.exit` survives (see `drain`); the CLI leaves by its signal instead.
   */
  readonly threadsBusy: boolean;
}

/**
 * Builds and starts the long-running server: one worker pool shared by the models (and one of
 * its own for a model whose entry sets `workers`), one queue per
 * model, the Router's routes behind a Node HTTP server. Eager models start loading once the
 * port is open, so `/ping` can already say "loading".
 */
export async function startServer(config: ServeConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? jsonLog;
  // Keys first: a keys file that cannot be read stops the start before any thread is made.
  const apiKeys = config.auth === undefined ? undefined : await ApiKeys.load(config.auth);
  const cpus = defaultIntraOpThreads();
  const threads = config.workers ?? cpus;
  // Configured models, pipelines and the cold loads' flow keep their own `model` label; a repository's past the cap share one.
  const metrics = new ServerMetrics({
    keptModels: [
      ...Object.keys(config.models),
      ...Object.keys(config.pipelines ?? {}),
      COLD_LOADS,
      ...(config.repository?.metricModels ?? []),
    ],
    labelledModels: config.repository?.labelledModels,
  });
  const newPool = (poolThreads: number) =>
    new WorkerPool({
      threads: poolThreads,
      nice: config.workerNice,
      onStart: (model, waitedMs) => metrics.workerWait.observe({ model }, waitedMs / 1000),
    });
  const pool = newPool(threads);
  // A model with `workers` of its own gets a pool of its own (Triton's instance groups).
  const ownPools = new Map(
    Object.entries(config.models).flatMap(([name, entry]) =>
      entry.workers === undefined ? [] : [[name, newPool(entry.workers)] as const],
    ),
  );
  const pools = [pool, ...ownPools.values()];
  // Parsing, decoding, resampling and encoding get threads of their own, as many as CPUs by
  // default: on a GPU host they are the CPU work, and the HTTP thread must do none of it.
  const processing = new ProcessingPool({
    threads: config.processingThreads ?? cpus,
    nice: config.workerNice,
    maxQueue: Math.max(1, ...Object.values(config.models).map((m) => m.maxQueueSize)),
  });
  // Same download tuning as the Lambda handler: ONNXLESS_DOWNLOAD_PART_BYTES / _CONCURRENCY.
  const cache = new WeightsCache({
    dir: config.cacheDir,
    partBytes: optionalPositiveInt(ENV.downloadPartBytes),
    concurrency: optionalPositiveInt(ENV.downloadConcurrency),
  });
  const flows = pipelineFlows(config);
  const deps: ModelDeps = {
    pool,
    sharedThreads: threads,
    processing,
    cache,
    metrics,
    log,
    cpus,
    resolvePipeline: options.resolvePipeline,
    s3Client: options.s3Client,
  };
  const models = Object.entries(config.models).map(([name, entry]) =>
    pooledModel(name, entry, { ...deps, pool: ownPools.get(name) ?? pool, flow: flows.get(name) }),
  );
  // A repository's models share the shared pool, each loaded in its own turn there.
  const repository = config.repository === undefined ? undefined : servedRepository(config.repository, deps);
  // One event stream, two outputs: a JSON log line per request (as on Lambda) and Prometheus series.
  // /openapi.json, /docs and /playground describe the served models, as on the deployed API.
  const pipelines = await servedPipelines(config, models, processing);
  const jobs = serveJobs((req) => router.handle(req), log, { settings: options.jobs, s3Client: options.s3Client });
  const router: ServeRouter = new ServeRouter(
    [...models, ...pipelines],
    {
      sink: fanOut(new PowertoolsSink(), new PrometheusSink(metrics)),
      ...pagesWithRepository(servedPages(config.models, options.resolvePipeline, jobs !== undefined), config, options.resolvePipeline),
      jobs: jobs?.jobs,
    },
    repository,
  );
  const server = new InferenceServer({
    router,
    models,
    repository,
    defaultModel: config.defaultModel,
    metrics,
    log,
    maxBodyBytes: Math.max(...[...models, ...(repository ? [repository] : [])].map((m) => m.limits.maxBodyBytes)),
    apiKeys,
  });
  let address;
  try {
    address = await server.listen(config.port, config.host);
  } catch (err) {
    await Promise.all([...pools.map((p) => p.destroy()), processing.destroy()]);
    throw err;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  log('INFO', 'listening', {
    url,
    port: address.port,
    workers: threads,
    models: models.map((m) => m.name),
    ...(config.repository === undefined ? {} : { repository: { name: config.repository.name, prefix: config.repository.prefix } }),
    // Whether a caller needs a key, and which routes answer without one.
    auth: apiKeys ? { keys: apiKeys.count, open: config.auth?.open ?? [] } : 'none',
  });

  let stopping = false;
  for (const model of models) if (model.pooledLoader.eager) void loadWithRetries(model, log, () => stopping);

  let drained: Promise<boolean> | undefined;
  const threadsBusy = () => [...pools, processing].some((p) => p.busy);
  return {
    url,
    port: address.port,
    models,
    repository,
    metrics,
    pool,
    get threadsBusy() {
      return threadsBusy();
    },
    drain(timeoutMs = config.drainTimeoutMs) {
      drained ??= (async () => {
        stopping = true;
        const started = performance.now();
        const clean = await server.drain(timeoutMs);
        // Jobs taken before the drain write their answers (within the same budget).
        if (jobs) await Promise.race([jobs.launcher.idle(), sleep(Math.max(0, timeoutMs - (performance.now() - started)))]);
        await Promise.all(models.map((m) => m.pooledLoader.queue?.close()));
        // Whatever is left of the budget for the workers; a stuck native call is not waited for.
        const left = Math.max(0, timeoutMs - (performance.now() - started));
        const closing = Promise.all([...pools.map((p) => p.close()), processing.close()]);
        const closed = await Promise.race([closing.then(() => true), sleep(left).then(() => false)]);
        // Past the budget the threads are not stopped: stopping one inside onnxruntime's native
        // code (a run, a session's creation) aborts the whole process ("terminate called after
        // throwing an instance of 'Napi::Error'", SIGABRT; measured with worker.terminate() and
        // with process.exit() alike). They close on their own once their tasks end.
        log('INFO', 'drained', {
          clean: clean && closed,
          ms: Math.round(performance.now() - started),
          ...(closed ? {} : { threadsBusy: threadsBusy() }),
        });
        return clean && closed;
      })();
      return drained;
    },
  };
}

/**
 * A pipeline's members take their turns on the shared threads as one flow, named after the
 * pipeline: a page's detection, orientation and recognition runs are one model to its callers,
 * and must not keep the priority lane from each other (the first pipeline naming a model wins).
 */
function pipelineFlows(config: ServeConfig): Map<string, string> {
  const flows = new Map<string, string>();
  for (const [pipeline, entry] of Object.entries(config.pipelines ?? {}))
    for (const model of Object.values(entry.models)) if (!flows.has(model)) flows.set(model, pipeline);
  return flows;
}

/** The pages' OpenAPI document with the repository's routes added, built once on first request. */
function pagesWithRepository(
  pages: ReturnType<typeof servedPages>,
  config: ServeConfig,
  resolvePipeline: StartOptions['resolvePipeline'],
): ReturnType<typeof servedPages> {
  const repository = config.repository;
  const served = pages.openApi;
  if (repository === undefined || served === undefined) return pages;
  const pipeline = repository.pipeline;
  let document: string | undefined;
  const described = () =>
    withRepositoryPaths(served() ?? '', {
      name: repository.name,
      ...(pipeline === undefined || !resolvePipeline ? {} : { pipeline: { name: pipeline, declaration: resolvePipeline(pipeline) } }),
    });
  return { ...pages, openApi: () => (document ??= described()) };
}

/**
 * Eager loads retry with backoff (1 s doubling to 30 s) until they succeed or the server stops.
 * A refusal while the loader backs off a failed session repeats a failure already logged: it is
 * waited out (its Retry-After) without a line.
 */
async function loadWithRetries(model: ServedModel, log: ServerLog, stopping: () => boolean): Promise<void> {
  let wait = 1000;
  while (!stopping()) {
    try {
      const loaded = await model.pooledLoader.load();
      log('INFO', 'model loaded', { model: model.name, ms: Math.round(loaded.loadMs), weights: loaded.weights.origin });
      return;
    } catch (err) {
      if (err instanceof ModelUnavailableError && err.repeated) {
        await sleep(1000 * Number(err.headers['retry-after'] ?? 1));
        continue;
      }
      log('ERROR', 'model load failed', { model: model.name, error: describeError(err), retryInMs: wait });
      await sleep(wait);
      wait = Math.min(wait * 2, 30_000);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
