import type { InferenceSession } from 'onnxruntime-node';
import { IntegrityError, ModelUnavailableError } from '../errors';
import { DownloadAbortedError, PinBackoffError } from '../cache/errors';
import { WeightsCache, type CachedWeights } from '../cache/WeightsCache';
import type { LoadRecord } from '../observability/records';
import { InvalidManifestError } from '../sources/ModelManifest';
import { SourceAccessDeniedError, SourceNotFoundError, type ModelLocation } from '../sources/ModelSource';
import { MachineGraph } from './MachineGraph';
import { ModelFiles } from './ModelFiles';
import { onnxruntime, onnxruntimeVersion } from './onnxruntime';
import { OnnxRunner } from './OnnxRunner';
import { warmOnnxruntime } from './warmOnnxruntime';
import { toSessionOptions, type SessionSettings } from './SessionOptions';
import { traced, type SpanParent } from '../observability/tracing';

export interface ModelConfig {
  name: string;
  /** One `.onnx` file, or a model directory (model.onnx, external data, companion files, manifest). */
  source: ModelLocation;
  /** Pinned sha256 of the weights (of the manifest, for a model directory), lower-case hex. */
  sha256?: string;
  session?: SessionSettings;
}

export interface LoadedModel {
  runner: OnnxRunner;
  weights: CachedWeights;
  /** Milliseconds spent fetching weights and creating the session. */
  loadMs: number;
  /**
   * The graph the session was created from: the pushed `original`, the one `optimized` at push
   * time, or this `machine`'s fully optimised one from the /tmp cache (MachineGraph.ts).
   */
  graph?: 'original' | 'optimized' | 'machine';
}

export interface LoadEvents {
  onSessionCreate?: (model: string) => void;
  /** A pinned model in the cache did not hash to its pin: its session was discarded, the model fetched again. */
  onVerificationFailed?: (model: string, err: unknown) => void;
  /** Every load that ends, loaded or failed, with its timing and download figures. */
  onLoad?: (record: LoadRecord) => void;
}

export interface LoadOptions {
  /**
   * This caller stops waiting when the signal fires (its promise rejects with the signal's
   * reason). The load itself is aborted only when every caller waiting on it has given up and
   * none waits without a signal; the cache then keeps the bytes it has, and the next load
   * resumes from them.
   */
  signal?: AbortSignal;
  /**
   * The trace span the load's own spans (downloads, session creation) hang off: the caller's
   * that started it (lib/observability/tracing.ts). A caller joining a load in flight adds none.
   */
  span?: SpanParent;
}

/** A load under way and who waits on it. */
interface Flight {
  promise: Promise<LoadedModel>;
  controller: AbortController;
  /** Callers with a signal that has not fired. */
  waiting: number;
  /** A caller waits without a signal (an eager load, a server request): never abort. */
  pinned: boolean;
}

/**
 * One model, one session per process. Concurrent first requests share the same load
 * promise (one download, one session creation); a failed or aborted load is forgotten so the
 * next request tries again, and a half-made session is never published.
 */
export class ModelLoader {
  private loaded?: LoadedModel;
  private flight?: Flight;

  constructor(
    readonly config: ModelConfig,
    private readonly cache: WeightsCache = new WeightsCache(),
    private readonly events: LoadEvents = {},
  ) {}

  get isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  get current(): LoadedModel | undefined {
    return this.loaded;
  }

  load(options: LoadOptions = {}): Promise<LoadedModel> {
    if (this.loaded) return Promise.resolve(this.loaded);
    if (this.flight?.controller.signal.aborted) {
      // An aborted load may still be parking its bytes: the next one starts after it, and
      // so resumes from them instead of racing it from byte 0.
      this.flight = this.start(this.flight, options.span);
    }
    const flight = (this.flight ??= this.start(undefined, options.span));
    const { signal } = options;
    if (!signal) {
      flight.pinned = true;
      return flight.promise;
    }
    flight.waiting += 1;
    return new Promise<LoadedModel>((resolve, reject) => {
      let settled = false;
      const leave = (): boolean => {
        if (settled) return false;
        settled = true;
        flight.waiting -= 1;
        signal.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (!leave()) return;
        this.abandoned(flight);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (model) => leave() && resolve(model),
        (err: unknown) => leave() && reject(err),
      );
    });
  }

  private start(after?: Flight, span?: SpanParent): Flight {
    const controller = new AbortController();
    const flight: Flight = { controller, waiting: 0, pinned: false, promise: undefined as unknown as Promise<LoadedModel> };
    const run = async (): Promise<LoadedModel> => {
      if (after) {
        try {
          // Aborted while creating the session, it may have finished anyway.
          return await after.promise;
        } catch {
          // Stopped as asked: load again, from the kept bytes.
        }
      }
      return this.loadOnce(controller.signal, span);
    };
    flight.promise = run().then(
      (model) => {
        this.loaded = model;
        if (this.flight === flight) this.flight = undefined;
        return model;
      },
      (err: unknown) => {
        if (this.flight === flight) this.flight = undefined;
        throw err;
      },
    );
    // Observed here as well: a load nobody waits for any more must not become an unhandled rejection.
    flight.promise.catch(() => {});
    return flight;
  }

  /** A waiter left; with nobody else waiting, stop the download and keep what it has. */
  private abandoned(flight: Flight): void {
    if (flight.waiting === 0 && !flight.pinned && !flight.controller.signal.aborted) {
      flight.controller.abort(new Error('every caller waiting for this load gave up'));
    }
  }

  private async loadOnce(signal: AbortSignal, span: SpanParent | undefined): Promise<LoadedModel> {
    const started = performance.now();
    let weights: CachedWeights | undefined;
    try {
      // A pinned model from the cache is hashed on a worker thread while the session is created
      // (a blocking native call); the session is used only if the hash matches.
      weights = await this.fetchWeights(signal, true, span);
      // If the session fails first, nobody awaits the hash: its rejection must not crash the
      // process (bad bytes often fail both). The awaits below still see it.
      weights.verified?.catch(() => undefined);
      let model = await this.createSession(weights, started, span);
      if (weights.verified) {
        try {
          await weights.verified;
        } catch (err) {
          // The cache removed the bad copy: this session came from wrong bytes. Fetch again
          // (verified as it downloads) and start over.
          await model.runner.session.release().catch(() => undefined);
          this.events.onVerificationFailed?.(this.config.name, err);
          weights = await this.fetchWeights(signal, false, span);
          model = await this.createSession(weights, started, span);
        }
      }
      this.report({ model: this.config.name, outcome: 'loaded', durationMs: model.loadMs, ...figures(weights) });
      return model;
    } catch (err) {
      const aborted = err instanceof ModelUnavailableError && err.cause instanceof DownloadAbortedError ? err.cause : undefined;
      this.report({
        model: this.config.name,
        outcome: aborted ? 'aborted' : 'failed',
        durationMs: performance.now() - started,
        ...(weights ? figures(weights) : {}),
        ...(aborted ? { keptBytes: aborted.keptBytes } : {}),
        errorType: err instanceof Error ? err.name : typeof err,
        errorMessage: message(err),
      });
      throw err;
    }
  }

  private report(record: LoadRecord): void {
    try {
      this.events.onLoad?.({ ...record, durationMs: Math.round(record.durationMs * 1000) / 1000 });
    } catch {
      // A reporting sink never fails a load.
    }
  }

  private async fetchWeights(signal: AbortSignal, deferVerification: boolean, span: SpanParent | undefined): Promise<CachedWeights> {
    const { name, source } = this.config;
    try {
      return await this.cache.fetch(source, this.config.sha256, {
        signal,
        span,
        deferVerification,
        optimizedFor: this.optimizedFor(),
        // A cold start loads onnxruntime and readies its environment (~40 ms of module and
        // native-library load, then ~30 ms of environment setup, all blocking) once the graph's
        // bytes are flowing, not after: the transfer goes on in the kernel's socket buffers
        // meanwhile. A failure here surfaces where the session is created.
        onModelBody: () => setImmediate(() => void warmOnnxruntime()),
      });
    } catch (err) {
      throw unavailable(name, source, err);
    }
  }

  /**
   * A graph pre-optimised at push time is used under the default level (`all`): onnxruntime
   * then finds the basic and extended fusions done and adds only the layout ones, so the session
   * is created in about half the time and runs exactly as one from the original graph (same
   * kernels, bitwise-equal outputs: test/integration/cache/optimizedGraph.test.ts). A model
   * configured for another level gets the original graph, optimised as it asked.
   */
  private optimizedFor(): string | undefined {
    const level = this.config.session?.graphOptimization ?? 'all';
    return level === 'all' ? onnxruntimeVersion() : undefined;
  }

  private async createSession(weights: CachedWeights, started: number, span: SpanParent | undefined): Promise<LoadedModel> {
    const { name, source } = this.config;
    let created: { session: InferenceSession; graph: NonNullable<LoadedModel['graph']> };
    try {
      this.events.onSessionCreate?.(name);
      created = await traced('session creation', () => this.sessionFrom(weights), undefined, span);
    } catch (err) {
      throw new ModelUnavailableError(name, `model '${name}': onnxruntime could not load ${source.description}: ${message(err)}`, {
        cause: err,
      });
    }
    return {
      runner: new OnnxRunner(created.session, new ModelFiles(weights.dir)),
      weights,
      graph: created.graph,
      loadMs: performance.now() - started,
    };
  }

  /**
   * From the path, never from a buffer: onnxruntime maps the file, JS never holds the weights,
   * and peak RSS stays about half of the buffer route. Under the default level a restart in the
   * same sandbox uses this machine's fully optimised graph (optimisation disabled: it is done);
   * a first load writes that graph while it creates its own session.
   */
  private async sessionFrom(weights: CachedWeights): Promise<{ session: InferenceSession; graph: NonNullable<LoadedModel['graph']> }> {
    // Required here, not at the top: a cold start's download begins before onnxruntime's ~40 ms
    // of module and native-library load.
    const { InferenceSession } = onnxruntime();
    const options = toSessionOptions(this.config.session);
    const graph = weights.graph ?? 'original';
    const machine =
      options.graphOptimizationLevel === 'all' && this.config.session?.machineGraph !== false ? MachineGraph.for(weights) : undefined;
    if (machine && (await machine.valid())) {
      try {
        return {
          session: await InferenceSession.create(machine.path, { ...options, graphOptimizationLevel: 'disabled' }),
          graph: 'machine',
        };
      } catch {
        await machine.discard();
      }
    }
    const temp = machine?.tempPath();
    if (temp) {
      try {
        const session = await InferenceSession.create(weights.path, { ...options, optimizedModelFilePath: temp });
        // Placed at once (a rename and a record); after the source's pending hash, if any, without
        // waiting for it. A graph that cannot be placed is only a missed speed-up for the next
        // start: never a reason to drop this session (and leak it) or to fail the load.
        const placing = machine!.place(temp, weights.verified).catch(() => machine!.abandon(temp).catch(() => undefined));
        if (!weights.verified) await placing;
        return { session, graph };
      } catch {
        // Writing the graph can fail where loading does not (a graph past protobuf's 2 GB): load without it.
        await machine!.abandon(temp);
      }
    }
    return { session: await InferenceSession.create(weights.path, options), graph };
  }
}

export function unavailable(name: string, source: ModelLocation, err: unknown): ModelUnavailableError {
  if (err instanceof DownloadAbortedError) {
    return new ModelUnavailableError(
      name,
      `model '${name}': the download of ${source.description} was stopped with ${err.keptBytes} bytes kept for the next load`,
      { cause: err, retryAfterSeconds: 1 },
    );
  }
  if (err instanceof SourceNotFoundError || err instanceof SourceAccessDeniedError) {
    return new ModelUnavailableError(name, `model '${name}' is unavailable: ${err.message}`, { cause: err });
  }
  if (err instanceof IntegrityError || err instanceof InvalidManifestError) {
    return new ModelUnavailableError(name, `model '${name}' failed verification: ${err.message}`, {
      cause: err,
      ...(err instanceof PinBackoffError ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
    });
  }
  return new ModelUnavailableError(name, `model '${name}' could not be fetched from ${source.description}: ${message(err)}`, {
    cause: err,
    retryAfterSeconds: 1,
  });
}

function figures(weights: CachedWeights): Pick<LoadRecord, 'origin' | 'bytes' | 'attempts' | 'resumedBytes' | 'refetchedBytes'> {
  return {
    origin: weights.origin,
    bytes: weights.size,
    attempts: weights.attempts,
    resumedBytes: weights.resumedBytes,
    refetchedBytes: weights.refetchedBytes,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
