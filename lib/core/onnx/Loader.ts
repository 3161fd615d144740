import type { CachedWeights } from '../cache/WeightsCache';
import type { SpanParent } from '../observability/tracing';
import type { OnnxRunner } from './OnnxRunner';
import type { SessionGraph } from './sessionFromWeights';

export interface LoadedModel {
  runner: OnnxRunner;
  /** The weights the session came from: where the graph is (its metadata is read from there) and how it was fetched. */
  weights: Pick<CachedWeights, 'path' | 'dir' | 'origin' | 'graph'>;
  /** Milliseconds spent fetching weights and creating the session. */
  loadMs: number;
  /** The graph the session was created from (SessionGraph). */
  graph?: SessionGraph;
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
   * that started it (lib/core/observability/tracing.ts). A caller joining a load in flight adds none.
   */
  span?: SpanParent;
}

/**
 * What a service needs of a model's loading: the model once it is in, and a way to bring it in.
 * ModelLoader (one session in this process), serve's PooledModelLoader (sessions on worker
 * threads) and a processing thread's already-loaded view each implement it; SingleFlight is
 * the one shared piece of their loading.
 */
export interface Loader {
  readonly current: LoadedModel | undefined;
  load(options?: LoadOptions): Promise<LoadedModel>;
}
