/** What a repository did for one model since the process started: for tests, the bench and operators. */
export interface ModelCounts {
  /** Requests that found the model loaded. */
  hits: number;
  /** Sessions created (a model evicted and asked for again loads again). */
  loads: number;
  /** Sessions unloaded to stay within the budget, or because the index changed the model. */
  evictions: number;
  /** Milliseconds of the last load (fetch or cache check, and session creation). */
  lastLoadMs?: number;
}

export interface RepositorySnapshot {
  /** Models with a session now (or loading one for a request), and the memory they are taken to hold (residentBudget.ts). */
  loaded: number;
  residentBytes: number;
  /** Bytes of model files kept in /tmp. */
  diskBytes: number;
  models: Readonly<Record<string, Readonly<ModelCounts>>>;
  totals: { hits: number; loads: number; evictions: number };
}

/** One line per eviction (lib/core/observability), the budget's state after it. */
export interface EvictionRecord {
  repository: string;
  model: string;
  /**
   * `budget`: least recently used past the memory or count budget; `replaced`: the index pins
   * another version; `removed`: no longer in the index; `unloaded`: asked for (Triton's unload).
   */
  reason: 'budget' | 'replaced' | 'removed' | 'unloaded';
  /** Milliseconds since the model last answered. */
  idleMs: number;
  residentBytes: number;
  loaded: number;
}

export class RepositoryStats {
  private readonly models = new Map<string, ModelCounts>();

  of(model: string): ModelCounts {
    let counts = this.models.get(model);
    if (!counts) this.models.set(model, (counts = { hits: 0, loads: 0, evictions: 0 }));
    return counts;
  }

  snapshot(state: Pick<RepositorySnapshot, 'loaded' | 'residentBytes' | 'diskBytes'>): RepositorySnapshot {
    const models = Object.fromEntries([...this.models].map(([name, counts]) => [name, { ...counts }]));
    const totals = { hits: 0, loads: 0, evictions: 0 };
    for (const counts of this.models.values()) {
      totals.hits += counts.hits;
      totals.loads += counts.loads;
      totals.evictions += counts.evictions;
    }
    return { ...state, models, totals };
  }
}
