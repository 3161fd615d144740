import { DynamicBatcher, type BatcherOptions } from '../core/batching/DynamicBatcher';
import type { TensorMap } from '../core/batching/BatchTensor';
import { RequestTimeoutExpiredError } from '../core/batching/errors';
import type { FailureBackoff } from '../core/cache/FailureBackoff';
import { WeightsCache, type CachedWeights } from '../core/cache/WeightsCache';
import { ModelUnavailableError } from '../core/errors';
import type { LoadedModel, Loader } from '../core/onnx/Loader';
import type { LoadRecord } from '../core/observability/records';
import type { ModelConfig } from '../core/onnx/ModelLoader';
import { ModelFiles } from '../core/onnx/ModelFiles';
import { SessionBackoff } from '../core/onnx/SessionBackoff';
import { SingleFlight } from '../core/onnx/SingleFlight';
import { unavailable } from '../core/onnx/unavailable';
import { describeError, type ServerLog } from './log';
import type { ServerMetrics } from './metrics';
import { PooledRunner } from './PooledRunner';
import { PooledSession, type RunQueue } from './PooledSession';
import type { WorkerPool } from './WorkerPool';
import type { SessionReport, SessionSpec, WireLoop, WireTensor, WireValueMetadata, WorkerReply } from './workerProtocol';

export interface BatchingSettings {
  /** Rows per run; 1 (the default) runs every request alone. */
  maxBatchSize: number;
  maxQueueDelayMs: number;
  /** Requests that may wait for a worker; one more is answered 429. */
  maxQueueSize: number;
}

export interface PooledModelOptions {
  pool: WorkerPool;
  cache: WeightsCache;
  batching: BatchingSettings;
  cpuFallback: boolean;
  /** Load at start: `/ping` answers 503 until it has. */
  eager: boolean;
  metrics?: ServerMetrics;
  log: ServerLog;
  /** Whose turns its runs take on the shared threads (a pipeline member: the pipeline's); default its own. */
  flow?: string;
  /** Default: 1 s doubling to 1 min, as the Lambda handler's loader. */
  sessionBackoff?: FailureBackoff;
  /**
   * A model of a repository, loaded while others serve: its session is created in its own turn
   * on the shared threads (PooledLoads), never ahead of other models' queued runs, and on each
   * other thread by its first run there rather than warmed on every thread at once.
   */
  loadInTurn?: boolean;
  /** Every load's record (a repository counts its loads and load time from them). */
  onLoad?: (record: LoadRecord) => void;
}

/**
 * The long-running server's Loader. The main thread fetches and verifies the weights once
 * (async I/O only); worker threads create the sessions from that file and run them. The loaded
 * runner is an OnnxRunner over a PooledSession, so ModelService and the pipelines work
 * unchanged, with every `run` going through the model's DynamicBatcher.
 * Single-flight and forget-on-failure (SingleFlight), like ModelLoader.
 */
export class PooledModelLoader implements Loader {
  #pooled?: LoadedModel;
  readonly #flight = new SingleFlight<LoadedModel>();
  #batcher?: DynamicBatcher;
  #runQueue?: RunQueue;
  #lastFailure?: string;
  #fallbackLogged = false;
  /** The session spec of the load in hand: what `unload` releases on every thread. */
  #spec?: SessionSpec;
  /** Unloaded on request (Triton's unload) and not loaded since: not "loading" to /ping. */
  #unloaded = false;
  /** The last load started: `unload` waits for one under way. */
  #loading?: Promise<LoadedModel>;

  readonly #options: PooledModelOptions;
  /** Sessions the workers could not create are not tried again on every request (as ModelLoader's). */
  readonly #sessionBackoff: SessionBackoff;

  constructor(
    readonly config: ModelConfig,
    options: PooledModelOptions,
  ) {
    this.#options = options;
    this.#sessionBackoff = new SessionBackoff(config.name, config.source, options.sessionBackoff);
  }

  get isLoaded(): boolean {
    return this.#pooled !== undefined;
  }

  get current(): LoadedModel | undefined {
    return this.#pooled;
  }

  get eager(): boolean {
    return this.#options.eager;
  }

  /** Unloaded on request, and not asked for since. */
  get unloaded(): boolean {
    return this.#unloaded && !this.#pooled;
  }

  /** Why the last load failed, while no load has succeeded since. */
  get failure(): string | undefined {
    return this.#pooled ? undefined : this.#lastFailure;
  }

  /** The model's batcher once loaded (queue depth, close on drain). */
  get queue(): DynamicBatcher | undefined {
    return this.#batcher;
  }

  /** Where the model's runs and loops go once loaded: its batcher, then the worker pool. */
  get runQueue(): RunQueue | undefined {
    return this.#runQueue;
  }

  load(): Promise<LoadedModel> {
    if (this.#pooled) return Promise.resolve(this.#pooled);
    const refused = this.#sessionBackoff.refusal();
    if (refused) return Promise.reject(refused);
    this.#unloaded = false;
    const started = performance.now();
    // No signal: a server load is never abandoned, every caller shares it to the end.
    return this.#flight.run(() =>
      (this.#loading = this.#loadPooled()).then(
        (model) => {
          this.#pooled = model;
          this.#lastFailure = undefined;
          this.#record('loaded', started, model);
          return model;
        },
        (err: unknown) => {
          this.#lastFailure = err instanceof Error ? err.message : String(err);
          this.#record('failed', started, undefined, err);
          throw err;
        },
      ),
    );
  }

  /**
   * Releases the model's sessions on every thread. Calls in flight finish first: new ones are
   * refused by the closed batcher, the queued and running ones end, and each thread releases its
   * session after the task it is running. The next `load` (a request, Triton's load) loads again.
   */
  async unload(): Promise<void> {
    // A load under way is let finish, then undone: its callers hold the model and run once.
    await this.#loading?.catch(() => undefined);
    const spec = this.#spec;
    const batcher = this.#batcher;
    if (!this.#pooled || !spec) return;
    this.#pooled = undefined;
    // The run queue stays: a call holding it reaches the model loaded again (see #loadPooled).
    this.#batcher = undefined;
    this.#spec = undefined;
    this.#unloaded = true;
    // Its queue depth reads 0 from now on, and the closed batcher is not kept alive by the gauge.
    this.#options.metrics?.trackQueue(this.config.name, () => 0);
    await batcher?.close();
    await this.#options.pool.unload(spec);
  }

  #record(outcome: LoadRecord['outcome'], started: number, model?: LoadedModel, err?: unknown): void {
    const weights = model?.weights as Partial<CachedWeights> | undefined;
    this.#options.onLoad?.({
      model: this.config.name,
      outcome,
      durationMs: performance.now() - started,
      ...(weights?.origin === undefined ? {} : { origin: weights.origin }),
      ...(weights?.size === undefined ? {} : { bytes: weights.size }),
      ...(err === undefined ? {} : { errorType: err instanceof Error ? err.name : typeof err, errorMessage: describeError(err) }),
    });
  }

  async #loadPooled(): Promise<LoadedModel> {
    const { name } = this.config;
    const started = performance.now();
    const weights = await this.#fetchWeights();
    this.#options.metrics?.loadDuration.observe({ model: name, stage: 'weights' }, (performance.now() - started) / 1000);
    const spec: SessionSpec = {
      model: name,
      path: weights.path,
      session: this.config.session ?? {},
      cpuFallback: this.#options.cpuFallback,
      flow: this.#options.flow,
    };
    const inTurn = this.#options.loadInTurn === true;
    const reply = await (inTurn ? this.#options.pool.loadInTurn(spec) : this.#options.pool.load(spec)).catch((err: unknown) => {
      throw workerFailed(name, err);
    });
    // The worker could not create the session: backed off, not tried again by the next request.
    if (!reply.ok) throw this.#sessionBackoff.failed(new Error(reply.message));
    this.#sessionBackoff.succeeded();
    this.#reportSession(reply.created);
    this.#spec = spec;
    // The other workers create theirs now rather than on their first request (a repository's
    // model on its first run there: warming every thread would hold each one up for it).
    if (!inTurn) {
      this.#options.pool.warm(spec).then(
        (replies) => replies.forEach((r) => (r.ok ? this.#reportSession(r.created) : undefined)),
        () => undefined,
      );
    }
    this.#batcher = new DynamicBatcher(
      this.#batcherOptions(reply.inputs, reply.outputs),
      (feeds, fetches, expired) => this.#runOnPool(spec, feeds, fetches, expired),
      {
        onDispatch: (report) => {
          const m = this.#options.metrics;
          if (!m) return;
          m.batchRows.observe({ model: name }, report.rows);
          m.batchRequests.observe({ model: name }, report.requests);
          for (const ms of report.queueMs) m.queueDuration.observe({ model: name }, ms / 1000);
        },
        onBatchingDisabled: (model, reason) => this.#options.log('WARN', 'batching turned off', { model, reason }),
      },
    );
    const batcher = this.#batcher;
    this.#options.metrics?.trackQueue(name, () => batcher.queued);
    // A loop waits in the same bounded queue as the model's runs and takes one of its slots.
    // A call that took this queue before an unload and reaches it after goes to the model loaded
    // again (the next load's batcher), not to the closed one: an unload never fails a call.
    const current = (): DynamicBatcher | Promise<DynamicBatcher> => this.#batcher ?? this.load().then(() => this.#batcher ?? batcher);
    this.#runQueue = {
      submit: (feeds, fetches, timeout) => {
        const target = current();
        return target instanceof Promise ? target.then((b) => b.submit(feeds, fetches, timeout)) : target.submit(feeds, fetches, timeout);
      },
      submitLoop: async (loop) => (await current()).submitAlone(() => this.#loopOnPool(spec, loop)),
    };
    const runner = new PooledRunner(new PooledSession(reply.inputs, reply.outputs, this.#runQueue), new ModelFiles(weights.dir));
    return { runner, weights, loadMs: performance.now() - started };
  }

  async #fetchWeights(): Promise<CachedWeights> {
    const { name, source } = this.config;
    try {
      return await this.#options.cache.fetch(source, this.config.sha256);
    } catch (err) {
      // The same 503s as the Lambda handler's loader (a pin failure carries its backoff as Retry-After).
      throw unavailable(name, source, err);
    }
  }

  /** Batching only where every input and output has a free first dimension to stack along. */
  #batcherOptions(inputs: readonly WireValueMetadata[], outputs: readonly WireValueMetadata[]): BatcherOptions {
    const { maxBatchSize, maxQueueDelayMs, maxQueueSize } = this.#options.batching;
    const fixed = [...inputs, ...outputs].filter((m) => !hasFreeFirstDim(m)).map((m) => m.name);
    let size = maxBatchSize;
    if (maxBatchSize > 1 && fixed.length > 0) {
      size = 1;
      this.#options.log('WARN', 'batching turned off', {
        model: this.config.name,
        reason: `${fixed.map((n) => `'${n}'`).join(', ')} ${fixed.length > 1 ? 'have' : 'has'} no free first dimension to batch along`,
      });
    }
    return { model: this.config.name, maxBatchSize: size, maxQueueDelayMs, maxQueueSize, maxInFlight: this.#options.pool.threads };
  }

  async #runOnPool(
    spec: SessionSpec,
    feeds: TensorMap,
    fetches: readonly string[] | undefined,
    expired?: () => RequestTimeoutExpiredError | undefined,
  ): Promise<TensorMap> {
    return (await this.#onPool(spec, this.#options.pool.run(spec, feeds as never, fetches, expired))).outputs;
  }

  async #loopOnPool(spec: SessionSpec, loop: WireLoop): Promise<Array<Record<string, WireTensor>>> {
    return (await this.#onPool(spec, this.#options.pool.loop(spec, loop))).steps;
  }

  /** One task's reply: a failure as the caller's error, the run time (a batch or a loop counts once) as a metric. */
  async #onPool<R extends Extract<WorkerReply, { runMs: number }>>(
    spec: SessionSpec,
    task: Promise<R | Extract<WorkerReply, { ok: false }>>,
  ): Promise<R> {
    const reply = await task.catch((err: unknown) => {
      // A request past its own timeout while it waited for a thread: refused there, unrun, its 408 as it is.
      if (err instanceof RequestTimeoutExpiredError) throw err;
      throw workerFailed(spec.model, err);
    });
    if (!reply.ok) throw failureError(spec.model, reply, this.config.source.description);
    this.#reportSession(reply.created);
    this.#options.metrics?.inferenceDuration.observe({ model: spec.model }, reply.runMs / 1000);
    return reply;
  }

  #reportSession(created: SessionReport | undefined): void {
    if (!created) return;
    const name = this.config.name;
    this.#options.metrics?.loadDuration.observe({ model: name, stage: 'session' }, created.loadMs / 1000);
    if (created.fallback && !this.#fallbackLogged) {
      // One line per model, not one per worker thread.
      this.#fallbackLogged = true;
      this.#options.log('WARN', `model '${name}' runs on CPU: ${created.fallback}`, { model: name, providers: created.providers });
    }
  }
}

function hasFreeFirstDim(meta: WireValueMetadata): boolean {
  if (!meta.isTensor) return false;
  const first = meta.shape?.[0];
  return typeof first === 'string' || (typeof first === 'number' && first < 0);
}

/** The thread itself died (a native crash, out of memory) or the pool is closed: not the caller's fault. */
function workerFailed(model: string, err: unknown): ModelUnavailableError {
  return new ModelUnavailableError(model, `model '${model}': its worker thread failed: ${describeError(err)}`, {
    cause: err,
    retryAfterSeconds: 1,
  });
}

function failureError(model: string, reply: Extract<WorkerReply, { ok: false }>, where: string): Error {
  switch (reply.failure) {
    case 'provider-unavailable':
      return new ModelUnavailableError(model, reply.message);
    case 'load-failed':
      return new ModelUnavailableError(model, `model '${model}': onnxruntime could not load ${where}: ${reply.message}`);
    case 'run-failed':
      return new Error(reply.message);
  }
}
