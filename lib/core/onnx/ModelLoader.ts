import { ModelUnavailableError } from '../errors';
import { DownloadAbortedError } from '../cache/errors';
import { WeightsCache, type CachedWeights } from '../cache/WeightsCache';
import { FailureBackoff, messageOf } from '../cache/FailureBackoff';
import { SessionBackoff } from './SessionBackoff';
import type { LoadRecord } from '../observability/records';
import type { ModelLocation } from '../sources/ModelSource';
import { ModelFiles } from './ModelFiles';
import { onnxruntimeVersion } from './onnxruntime';
import { OnnxRunner } from './OnnxRunner';
import { warmOnnxruntime } from './warmOnnxruntime';
import type { SessionSettings } from './SessionOptions';
import { sessionFromWeights, type CreatedSession } from './sessionFromWeights';
import { SingleFlight } from './SingleFlight';
import { unavailable } from './unavailable';
import { traced, type SpanParent } from '../observability/tracing';
import type { LoadedModel, LoadOptions, Loader } from './Loader';

export interface ModelConfig {
  name: string;
  /** One `.onnx` file, or a model directory (model.onnx, external data, companion files, manifest). */
  source: ModelLocation;
  /** Pinned sha256 of the weights (of the manifest, for a model directory), lower-case hex. */
  sha256?: string;
  session?: SessionSettings;
}

export interface LoadEvents {
  onSessionCreate?: (model: string) => void;
  /** A pinned model in the cache did not hash to its pin: its session was discarded, the model fetched again. */
  onVerificationFailed?: (model: string, err: unknown) => void;
  /** Every load that ends, loaded or failed, with its timing and download figures. */
  onLoad?: (record: LoadRecord) => void;
  /**
   * The model's ORT-format model was written by another onnxruntime: the ONNX graph is loaded
   * instead. Once per loader; without a handler the line goes to stderr (the function's log).
   */
  onGraphFallback?: (model: string, message: string) => void;
}

/**
 * One model, one session per process. Concurrent first requests share the same load
 * promise (SingleFlight: one download, one session creation), and a half-made session is never
 * published. A failed load is tried again once its backoff ends, never on every request: the
 * cache backs off a failed fetch, and this loader a session onnxruntime could not create (1 s
 * doubling to 1 min: creating one can take seconds of CPU). A load aborted by its callers is
 * tried again at once.
 */
export class ModelLoader implements Loader {
  private loaded?: LoadedModel;
  private readonly flight = new SingleFlight<LoadedModel>('load');
  private readonly sessionBackoff: SessionBackoff;
  private fallbackLogged = false;

  constructor(
    readonly config: ModelConfig,
    private readonly cache: WeightsCache = new WeightsCache(),
    private readonly events: LoadEvents = {},
    sessionBackoff?: FailureBackoff,
  ) {
    this.sessionBackoff = new SessionBackoff(config.name, config.source, sessionBackoff);
  }

  get isLoaded(): boolean {
    return this.loaded !== undefined;
  }

  get current(): LoadedModel | undefined {
    return this.loaded;
  }

  load(options: LoadOptions = {}): Promise<LoadedModel> {
    if (this.loaded) return Promise.resolve(this.loaded);
    const refused = this.sessionBackoff.refusal();
    if (refused) return Promise.reject(refused);
    return this.flight.run(async (signal) => {
      const model = await this.loadOnce(signal, options.span);
      this.loaded = model;
      return model;
    }, options.signal);
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
      let model = await this.loadedFrom(weights, started, span);
      if (weights.verified) {
        try {
          await weights.verified;
        } catch (err) {
          // The cache removed the bad copy: this session came from wrong bytes. Fetch again
          // (verified as it downloads) and start over.
          await model.runner.session.release().catch(() => undefined);
          this.events.onVerificationFailed?.(this.config.name, err);
          weights = await this.fetchWeights(signal, false, span);
          model = await this.loadedFrom(weights, started, span);
        }
      }
      this.report({ model: this.config.name, outcome: 'loaded', durationMs: model.loadMs, ...figures(weights) });
      return model;
    } catch (err) {
      // A refusal while the cache backs off is no load: the failure it repeats was reported.
      if (err instanceof ModelUnavailableError && err.repeated) throw err;
      const aborted = err instanceof ModelUnavailableError && err.cause instanceof DownloadAbortedError ? err.cause : undefined;
      this.report({
        model: this.config.name,
        outcome: aborted ? 'aborted' : 'failed',
        durationMs: performance.now() - started,
        ...(weights ? figures(weights) : {}),
        ...(aborted ? { keptBytes: aborted.keptBytes } : {}),
        errorType: err instanceof Error ? err.name : typeof err,
        errorMessage: messageOf(err),
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
        // A cold start loads onnxruntime and readies its environment (module and native-library
        // load, then environment setup, all blocking: docs/benchmarks.md, "Figures behind the code") once the graph's
        // bytes are flowing, not after: the transfer goes on in the kernel's socket buffers
        // meanwhile. A failure here surfaces where the session is created.
        onModelBody: () => setImmediate(() => void warmOnnxruntime()),
      });
    } catch (err) {
      throw unavailable(name, source, err);
    }
  }

  /**
   * An ORT-format model or a graph pre-optimised at push time is used under the default level
   * (`all`; the ORT one first, created at that level too: docs/benchmarks.md). For the graph, onnxruntime
   * then finds the basic and extended fusions done and adds only the layout ones, so the session
   * is created in about half the time and runs exactly as one from the original graph (same
   * kernels, bitwise-equal outputs: test/integration/cache/optimizedGraph.test.ts). A model
   * configured for another level gets the original graph, optimised as it asked.
   */
  private optimizedFor(): string | undefined {
    const level = this.config.session?.graphOptimization ?? 'all';
    return level === 'all' ? onnxruntimeVersion() : undefined;
  }

  /** The model as this loader publishes it: onnxruntime failing on the weights is a 503 naming the source. */
  private async loadedFrom(weights: CachedWeights, started: number, span: SpanParent | undefined): Promise<LoadedModel> {
    const { name } = this.config;
    if (weights.fallback && !this.fallbackLogged) {
      this.fallbackLogged = true;
      const report =
        this.events.onGraphFallback ?? ((model: string, message: string) => console.warn(`onnxless: model '${model}': ${message}`));
      report(name, weights.fallback);
    }
    let created: CreatedSession;
    try {
      this.events.onSessionCreate?.(name);
      created = await traced('session creation', () => sessionFromWeights(weights, this.config.session), undefined, span);
    } catch (err) {
      throw this.sessionBackoff.failed(err);
    }
    this.sessionBackoff.succeeded();
    return {
      runner: new OnnxRunner(created.session, new ModelFiles(weights.dir)),
      weights,
      graph: created.graph,
      loadMs: performance.now() - started,
    };
  }
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
