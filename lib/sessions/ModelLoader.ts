import { InferenceSession } from 'onnxruntime-node';
import { IntegrityError, ModelUnavailableError } from '../errors';
import { WeightsCache, type CachedWeights } from '../cache/WeightsCache';
import { SourceAccessDeniedError, SourceNotFoundError, type ModelSource } from '../sources/ModelSource';
import { OnnxRunner } from './OnnxRunner';
import { toSessionOptions, type SessionSettings } from './SessionOptions';

export interface ModelConfig {
  name: string;
  source: ModelSource;
  /** Pinned sha256 of the weights, lower-case hex. */
  sha256?: string;
  session?: SessionSettings;
}

export interface LoadedModel {
  runner: OnnxRunner;
  weights: CachedWeights;
  /** Milliseconds spent fetching weights and creating the session. */
  loadMs: number;
}

export interface LoadEvents {
  onSessionCreate?: (model: string) => void;
}

/**
 * One model, one session per process. Concurrent first requests share the same load
 * promise (one download, one session creation); a failed load is forgotten so the next
 * request tries again, and a half-made session is never published.
 */
export class ModelLoader {
  private loaded?: LoadedModel;
  private inFlight?: Promise<LoadedModel>;

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

  load(): Promise<LoadedModel> {
    if (this.loaded) return Promise.resolve(this.loaded);
    this.inFlight ??= this.loadOnce().then(
      (model) => {
        this.loaded = model;
        this.inFlight = undefined;
        return model;
      },
      (err: unknown) => {
        this.inFlight = undefined;
        throw err;
      },
    );
    return this.inFlight;
  }

  private async loadOnce(): Promise<LoadedModel> {
    const started = performance.now();
    const { name, source } = this.config;
    let weights: CachedWeights;
    try {
      weights = await this.cache.fetch(source, this.config.sha256);
    } catch (err) {
      throw unavailable(name, source, err);
    }
    let session: InferenceSession;
    try {
      this.events.onSessionCreate?.(name);
      // From the path, never from a buffer: onnxruntime maps the file, JS never holds the
      // weights, and peak RSS stays about half of the buffer route.
      session = await InferenceSession.create(weights.path, toSessionOptions(this.config.session));
    } catch (err) {
      throw new ModelUnavailableError(name, `model '${name}': onnxruntime could not load ${source.description}: ${message(err)}`, { cause: err });
    }
    return { runner: new OnnxRunner(session), weights, loadMs: performance.now() - started };
  }
}

function unavailable(name: string, source: ModelSource, err: unknown): ModelUnavailableError {
  if (err instanceof SourceNotFoundError || err instanceof SourceAccessDeniedError) {
    return new ModelUnavailableError(name, `model '${name}' is unavailable: ${err.message}`, { cause: err });
  }
  if (err instanceof IntegrityError) {
    return new ModelUnavailableError(name, `model '${name}' failed verification: ${err.message}`, { cause: err });
  }
  return new ModelUnavailableError(
    name,
    `model '${name}' could not be fetched from ${source.description}: ${message(err)}`,
    { cause: err, retryAfterSeconds: 1 },
  );
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
