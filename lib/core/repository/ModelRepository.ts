import { rm } from 'node:fs/promises';
import { messageOf } from '../cache/FailureBackoff';
import { ModelUnavailableError } from '../errors';
import type { WeightsCache } from '../cache/WeightsCache';
import { ModelService } from '../inference/ModelService';
import type { Endpoint } from '../inference/Endpoint';
import type { Pipeline } from '../pipeline/Pipeline';
import type { ProtocolLimits } from '../protocol/limits';
import type { LoadEvents } from '../onnx/ModelLoader';
import { ModelLoader } from '../onnx/ModelLoader';
import type { SessionSettings } from '../onnx/SessionOptions';
import type { LoadRecord } from '../observability/records';
import { modelSourceFor } from '../sources/modelUri';
import type { S3Transport } from '../sources/S3ModelSource';
import type { IndexReader } from './IndexReader';
import type { IndexedModel, RepositoryIndex } from './RepositoryIndex';
import { overBudget, sessionBytes, type Budget, type Resident } from './residentBudget';
import { bytesOnDisk } from './bytesOnDisk';
import { RepositoryEndpoint, versionOfDirectory } from './RepositoryEndpoint';
import { RepositoryStats, type EvictionRecord, type RepositorySnapshot } from './RepositoryStats';

export interface RepositoryBudgets {
  /** Memory the loaded sessions may hold (residentBudget.ts estimates each). */
  sessionBytes: number;
  /** Most models loaded at once; undefined: the memory budget alone. */
  maxModels?: number;
  /** Bytes of model files kept in the cache folder (/tmp). */
  diskBytes: number;
}

export interface ModelRepositoryOptions {
  /** The registry entry's name, for records and messages. */
  name: string;
  /** `s3://bucket/models/`: the models' directories are under it. */
  prefix: string;
  index: IndexReader;
  cache: WeightsCache;
  budgets: RepositoryBudgets;
  session?: SessionSettings;
  s3?: S3Transport;
  limits: ProtocolLimits;
  /** The domain route every model of the repository shares (`POST /models/{name}/predict`), when the entry names a handler. */
  pipeline?: Pipeline;
  events?: LoadEvents;
  /** One record per eviction (the log line and metrics the runtime's sink writes). */
  onEviction?: (record: EvictionRecord) => void;
}

/** One model as this process holds it: its pin, its service, and who is using it. */
interface Entry {
  name: string;
  pin: string;
  bytes: number;
  /** Where its files are cached: removed when the disk budget needs the room. */
  cacheRoot: string;
  loader: ModelLoader;
  service: ModelService;
  /** Requests (and loads) using it now: it is never unloaded under one. */
  users: number;
  lastUsed: number;
  lastUsedAt: number;
  /** Out of `entries` (evicted, replaced or removed): its session is released once `users` is 0. */
  retired?: EvictionRecord['reason'];
}

/**
 * Many models behind one function: the index says which exist (IndexReader, revalidated after
 * its TTL), and each model asked for is loaded as a single-model function loads its one model
 * (ModelLoader: the manifest's pin checked, one load at a time per model, a failure backed
 * off), then kept while the budgets allow:
 * - sessions: least recently used unloaded first once their estimated memory or their count is
 *   over budget; a model a request is using is never unloaded under it (a count of users: it
 *   goes once its last request ends);
 * - files in /tmp: the least recently used model not loaded has its cached files removed once
 *   the files are over the disk budget.
 * A model the index no longer lists answers 404; one the index pins anew (a push) is loaded
 * from its new directory, the old session released when its last request ends.
 */
export class ModelRepository {
  private readonly entries = new Map<string, Entry>();
  /** Cached model directories by their cache folder (one per model version), with their bytes and last use. */
  private readonly files = new Map<string, { name: string; bytes: number; lastUsed: number }>();
  private readonly stats = new RepositoryStats();
  private readonly endpoints = new Map<string, RepositoryEndpoint>();
  /** The index the entries were last checked against (sweep). */
  private seenIndex?: RepositoryIndex;
  /** The removal of files past the disk budget, one pass after another. */
  private tidying: Promise<void> = Promise.resolve();
  private tick = 0;

  constructor(private readonly options: ModelRepositoryOptions) {}

  get name(): string {
    return this.options.name;
  }

  get limits(): ProtocolLimits {
    return this.options.limits;
  }

  get pipeline(): Pipeline | undefined {
    return this.options.pipeline;
  }

  /** What answers for `name` on the model routes: undefined when the index does not list it (a 404). */
  async endpoint(name: string): Promise<Endpoint | undefined> {
    const indexed = await this.lookup(name);
    if (!indexed) return undefined;
    // One endpoint per index entry while it stays the same object (the index unchanged): the
    // router made for it is reused too (RepositoryRouter), so a hit builds nothing.
    let endpoint = this.endpoints.get(name);
    if (endpoint?.indexed !== indexed) this.endpoints.set(name, (endpoint = new RepositoryEndpoint(this, name, indexed)));
    return endpoint;
  }

  /** The model's entry in the index now: undefined for none (a 404). Retires what the index dropped or re-pinned. */
  async lookup(name: string): Promise<IndexedModel | undefined> {
    let index: RepositoryIndex;
    try {
      index = await this.options.index.current();
    } catch (err) {
      throw new ModelUnavailableError(name, `repository '${this.name}': its index could not be read: ${messageOf(err)}`, {
        cause: err,
        retryAfterSeconds: 1,
      });
    }
    if (index !== this.seenIndex) this.sweep(index);
    return Object.hasOwn(index.models, name) ? index.models[name] : undefined;
  }

  /**
   * A new index read: every loaded model it no longer lists, or pins anew, is retired now (its
   * session released once its requests end), not left holding memory until the budget needs it.
   */
  private sweep(index: RepositoryIndex): void {
    this.seenIndex = index;
    for (const entry of [...this.entries.values()]) {
      const indexed = Object.hasOwn(index.models, entry.name) ? index.models[entry.name] : undefined;
      if (!indexed || indexed.sha256 !== entry.pin) this.retire(entry, indexed ? 'replaced' : 'removed');
    }
    for (const name of [...this.endpoints.keys()]) if (!Object.hasOwn(index.models, name)) this.endpoints.delete(name);
  }

  /**
   * Runs `work` with the model's service, counted as a user for as long as it runs: the session
   * it loads or finds is not unloaded under it. Call after `lookup` found the model.
   */
  async use<T>(name: string, indexed: IndexedModel, work: (service: ModelService) => Promise<T>): Promise<T> {
    const entry = this.checkout(name, indexed);
    if (entry.loader.isLoaded) this.stats.of(name).hits += 1;
    try {
      return await work(entry.service);
    } finally {
      entry.users -= 1;
      entry.lastUsed = ++this.tick;
      entry.lastUsedAt = Date.now();
      this.settle(entry);
    }
  }

  /** Resolves once the files past the disk budget that loads so far asked to remove are gone. */
  filesSettled(): Promise<void> {
    return this.tidying;
  }

  snapshot(): RepositorySnapshot {
    const loaded = this.residents();
    return this.stats.snapshot({
      loaded: loaded.length,
      residentBytes: loaded.reduce((sum, e) => sum + e.bytes, 0),
      diskBytes: [...this.files.values()].reduce((sum, f) => sum + f.bytes, 0),
    });
  }

  /** Models holding a session, or about to (a request is loading one): what the sessions' budget counts. */
  private residents(): Entry[] {
    return [...this.entries.values()].filter((e) => e.loader.isLoaded || e.users > 0);
  }

  /** The live entry of the model at this pin, made if there is none; one more user of it, synchronously (no eviction can slip in). */
  private checkout(name: string, indexed: IndexedModel): Entry {
    let entry = this.entries.get(name);
    // A request that looked the model up before a newer index was read holds the older pin: the
    // entry the newer index pins answers it, rather than being replaced by the older version.
    const current = this.seenIndex && Object.hasOwn(this.seenIndex.models, name) ? this.seenIndex.models[name] : undefined;
    if (entry && entry.pin !== indexed.sha256 && current?.sha256 !== entry.pin) {
      this.retire(entry, 'replaced');
      entry = undefined;
    }
    entry ??= this.create(name, indexed);
    entry.users += 1;
    entry.lastUsed = ++this.tick;
    return entry;
  }

  private create(name: string, indexed: IndexedModel): Entry {
    const { options } = this;
    const uri = `${options.prefix}${indexed.directory}`;
    const loader = new ModelLoader(
      { name, source: modelSourceFor(uri, options.s3), sha256: indexed.sha256, session: options.session },
      options.cache,
      { ...options.events, onLoad: (record) => this.loaded(entry, record) },
    );
    const version = versionOfDirectory(indexed.directory);
    const entry: Entry = {
      name,
      pin: indexed.sha256,
      bytes: sessionBytes(indexed.size),
      cacheRoot: options.cache.rootFor(uri),
      loader,
      service: new ModelService({ name, version, loader, limits: options.limits, pipeline: options.pipeline }),
      users: 0,
      lastUsed: 0,
      lastUsedAt: Date.now(),
    };
    this.entries.set(name, entry);
    return entry;
  }

  private loaded(entry: Entry, record: LoadRecord): void {
    this.options.events?.onLoad?.(record);
    if (record.outcome !== 'loaded') return;
    const counts = this.stats.of(entry.name);
    counts.loads += 1;
    counts.lastLoadMs = record.durationMs;
    const file = { name: entry.name, bytes: record.bytes ?? entry.bytes, lastUsed: entry.lastUsed };
    this.files.set(entry.cacheRoot, file);
    // Over budget now that this session is in: others make room (this one is in use while it loads).
    this.enforceSessions();
    this.tidying = this.tidying.then(async () => {
      // What the folder really takes (the machine graph and records too), measured once per load.
      file.bytes = Math.max(file.bytes, await bytesOnDisk(entry.cacheRoot));
      await this.enforceFiles();
    });
  }

  /** A request ended: a retired entry with no users left goes; the budget may now free what was in use. */
  private settle(entry: Entry): void {
    if (entry.retired) {
      if (entry.users === 0) this.release(entry);
      return;
    }
    const file = this.files.get(entry.cacheRoot);
    if (file) file.lastUsed = entry.lastUsed;
    this.enforceSessions();
  }

  private enforceSessions(): void {
    const budget: Budget = { bytes: this.options.budgets.sessionBytes, count: this.options.budgets.maxModels };
    const residents: Resident[] = this.residents().map((e) => ({ name: e.name, bytes: e.bytes, lastUsed: e.lastUsed, inUse: e.users > 0 }));
    for (const victim of overBudget(residents, budget)) {
      const entry = this.entries.get(victim.name);
      if (entry) this.retire(entry, 'budget');
    }
  }

  /**
   * Files of models not loaded, least recently used first, until the files fit the disk budget;
   * a re-pinned model's old version is not loaded, so its files go first among equals.
   */
  private async enforceFiles(): Promise<void> {
    const residents: Resident[] = [...this.files].map(([root, file]) => {
      const entry = this.entries.get(file.name);
      const live = entry !== undefined && entry.cacheRoot === root && (entry.users > 0 || entry.loader.isLoaded);
      return { name: root, bytes: file.bytes, lastUsed: file.lastUsed, inUse: live };
    });
    for (const victim of overBudget(residents, { bytes: this.options.budgets.diskBytes })) {
      this.files.delete(victim.name);
      // The cache takes a missing folder for a model not fetched yet: the next load downloads it.
      await rm(victim.name, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Out of the map now; its session released now or when its last user ends. */
  private retire(entry: Entry, reason: NonNullable<Entry['retired']>): void {
    if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
    if (entry.retired) return;
    entry.retired = reason;
    if (entry.loader.isLoaded) {
      this.stats.of(entry.name).evictions += 1;
      const after = this.snapshot();
      this.options.onEviction?.({
        repository: this.options.name,
        model: entry.name,
        reason,
        idleMs: Math.max(0, Date.now() - entry.lastUsedAt),
        residentBytes: after.residentBytes,
        loaded: after.loaded,
      });
    }
    if (entry.users === 0) this.release(entry);
  }

  private release(entry: Entry): void {
    const session = entry.loader.current?.runner.session;
    // A session released twice, or one that failed to load, is nothing to release.
    if (session) void session.release().catch(() => undefined);
  }
}
