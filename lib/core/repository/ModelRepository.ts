import { rm } from 'node:fs/promises';
import { messageOf } from '../cache/FailureBackoff';
import { ModelUnavailableError, redactInternals } from '../errors';
import type { WeightsCache } from '../cache/WeightsCache';
import { ModelService } from '../inference/ModelService';
import type { Endpoint } from '../inference/Endpoint';
import type { IndexedModel, RepositoryIndex } from './RepositoryIndex';
import type { Pipeline } from '../pipeline/Pipeline';
import type { ProtocolLimits } from '../protocol/limits';
import type { LoadEvents } from '../onnx/ModelLoader';
import { ModelLoader } from '../onnx/ModelLoader';
import type { SessionSettings } from '../onnx/SessionOptions';
import type { LoadRecord } from '../observability/records';
import { modelSourceFor } from '../sources/modelUri';
import type { S3Transport } from '../sources/S3ModelSource';
import type { IndexReader } from './IndexReader';
import { fitsBudget, overBudget, sessionBytes, type Budget, type Resident } from './residentBudget';
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

/**
 * One model of the repository as the runtime loads it: in this process (the default, a
 * ModelLoader and a ModelService) or, on `onnxless serve`, with its sessions on worker threads.
 */
export interface RepositoryModel {
  readonly isLoaded: boolean;
  readonly service: Endpoint;
  /** Releases what the load holds (its sessions); called once no request uses the model. */
  release(): Promise<void>;
}

/** What a runtime needs to make one model of the repository. */
export interface RepositoryModelSpec {
  name: string;
  version: string | undefined;
  /** The model's directory: `<prefix><model>/<version>/`. */
  uri: string;
  /** The manifest's sha256 the index pins. */
  sha256: string;
  /** Called with the record of every load attempt: the repository counts loads and load time from it. */
  onLoad: (record: LoadRecord) => void;
}

export type RepositoryModelFactory = (spec: RepositoryModelSpec) => RepositoryModel;

/** Why a model is out of the loaded set: see EvictionRecord. */
export type EvictionReason = EvictionRecord['reason'];

/** A model the index lists, as Triton's repository index shows it. */
export interface ListedModel {
  name: string;
  version?: string;
  state: 'READY' | 'LOADING' | 'UNAVAILABLE';
  reason: string;
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
  /** How a model is loaded; default: in this process (ModelLoader, ModelService). */
  models?: RepositoryModelFactory;
}

/** One model as this process holds it: its pin, its service, and who is using it. */
interface Entry {
  name: string;
  pin: string;
  bytes: number;
  /** Where its files are cached: removed when the disk budget needs the room. */
  cacheRoot: string;
  model: RepositoryModel;
  /** Requests (and loads) using it now: it is never unloaded under one. */
  users: number;
  lastUsed: number;
  lastUsedAt: number;
  /** Out of `entries` (evicted, replaced or removed): its session is released once `users` is 0. */
  retired?: EvictionReason;
  /** Why its last load failed (unredacted: the index answer redacts it); cleared by a load that succeeds. */
  failure?: string;
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
  /**
   * The sessions were left over budget because every candidate was in use: the next request to
   * end tries again. Otherwise a request's end changes nothing the budget counts (a loaded model
   * stays loaded), so a hit does not walk the loaded models.
   */
  private overBudgetInUse = false;
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
    // Within the TTL the index in hand answers with no wait: a hit awaits nothing before its model.
    const fresh = this.options.index.fresh();
    const indexed = fresh && fresh === this.seenIndex ? listed(fresh, name) : await this.lookup(name);
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
    return listed(index, name);
  }

  /**
   * A new index read: every loaded model it no longer lists, or pins anew, is retired now (its
   * session released once its requests end), not left holding memory until the budget needs it.
   */
  private sweep(index: RepositoryIndex): void {
    this.seenIndex = index;
    for (const entry of [...this.entries.values()]) {
      const indexed = listed(index, entry.name);
      if (!indexed || indexed.sha256 !== entry.pin) this.retire(entry, indexed ? 'replaced' : 'removed');
    }
    for (const name of [...this.endpoints.keys()]) if (!Object.hasOwn(index.models, name)) this.endpoints.delete(name);
  }

  /**
   * Runs `work` with the model's service, counted as a user for as long as it runs: the session
   * it loads or finds is not unloaded under it. Call after `lookup` found the model.
   */
  async use<T>(name: string, indexed: IndexedModel, work: (service: Endpoint) => Promise<T>): Promise<T> {
    const entry = this.checkout(name, indexed);
    if (entry.model.isLoaded) this.stats.of(name).hits += 1;
    try {
      return await work(entry.model.service);
    } finally {
      entry.users -= 1;
      entry.lastUsed = ++this.tick;
      entry.lastUsedAt = Date.now();
      this.settle(entry);
    }
  }

  /**
   * Unloads the model now (Triton's `unload`): its session is released once its requests in
   * flight end; its next request loads it again. False when the index does not list it.
   */
  async unload(name: string): Promise<boolean> {
    if (!(await this.lookup(name))) return false;
    const entry = this.entries.get(name);
    if (entry) this.retire(entry, 'unloaded');
    return true;
  }

  /** Whether the index read last lists the model (no read): for metric labels, which only a listed name may become. */
  lists(name: string): boolean {
    return this.seenIndex !== undefined && Object.hasOwn(this.seenIndex.models, name);
  }

  /** Every model the index lists now, with its state: READY (loaded), LOADING, or UNAVAILABLE (not loaded). */
  async list(): Promise<ListedModel[]> {
    await this.lookup('');
    const models = this.seenIndex?.models ?? {};
    return Object.entries(models).map(([name, indexed]) => {
      const entry = this.entries.get(name);
      const version = versionOfDirectory(indexed.directory);
      const state = entry?.model.isLoaded ? 'READY' : entry && entry.users > 0 ? 'LOADING' : 'UNAVAILABLE';
      return { name, ...(version === undefined ? {} : { version }), state, reason: state === 'UNAVAILABLE' ? unavailable(entry) : '' };
    });
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
    return [...this.entries.values()].filter((e) => e.model.isLoaded || e.users > 0);
  }

  /** The live entry of the model at this pin, made if there is none; one more user of it, synchronously (no eviction can slip in). */
  private checkout(name: string, indexed: IndexedModel): Entry {
    let entry = this.entries.get(name);
    // A request that looked the model up before a newer index was read holds the older pin: the
    // entry the newer index pins answers it, rather than being replaced by the older version.
    const current = this.seenIndex && listed(this.seenIndex, name);
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
    const spec: RepositoryModelSpec = {
      name,
      version: versionOfDirectory(indexed.directory),
      uri,
      sha256: indexed.sha256,
      onLoad: (record) => this.loaded(entry, record),
    };
    const entry: Entry = {
      name,
      pin: indexed.sha256,
      bytes: sessionBytes(indexed.size),
      cacheRoot: options.cache.rootFor(uri),
      model: (options.models ?? ((s) => this.inProcess(s)))(spec),
      users: 0,
      lastUsed: 0,
      lastUsedAt: Date.now(),
    };
    this.entries.set(name, entry);
    return entry;
  }

  private loaded(entry: Entry, record: LoadRecord): void {
    this.options.events?.onLoad?.(record);
    if (record.outcome === 'failed') entry.failure = record.errorMessage ?? record.errorType ?? 'the load failed';
    if (record.outcome !== 'loaded') return;
    entry.failure = undefined;
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
    if (this.overBudgetInUse) this.enforceSessions();
  }

  private enforceSessions(): void {
    const budget: Budget = { bytes: this.options.budgets.sessionBytes, count: this.options.budgets.maxModels };
    const residents: Resident[] = this.residents().map((e) => ({ name: e.name, bytes: e.bytes, lastUsed: e.lastUsed, inUse: e.users > 0 }));
    const victims = overBudget(residents, budget);
    for (const victim of victims) {
      const entry = this.entries.get(victim.name);
      if (entry) this.retire(entry, 'budget');
    }
    const kept = residents.filter((r) => !victims.includes(r));
    this.overBudgetInUse = !fitsBudget(kept, budget);
  }

  /**
   * Files of models not loaded, least recently used first, until the files fit the disk budget;
   * a re-pinned model's old version is not loaded, so its files go first among equals.
   */
  private async enforceFiles(): Promise<void> {
    const residents: Resident[] = [...this.files].map(([root, file]) => ({
      name: root,
      bytes: file.bytes,
      lastUsed: file.lastUsed,
      inUse: this.filesInUse(root, file.name),
    }));
    for (const victim of overBudget(residents, { bytes: this.options.budgets.diskBytes })) {
      // Asked again at each folder's turn: a request that began while an earlier folder was being
      // removed may be loading this one (its files would go from under its load).
      const file = this.files.get(victim.name);
      if (!file || this.filesInUse(victim.name, file.name)) continue;
      this.files.delete(victim.name);
      // The cache takes a missing folder for a model not fetched yet: the next load downloads it.
      await rm(victim.name, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** The folder `root` is the files of a model loaded or with a request now. */
  private filesInUse(root: string, name: string): boolean {
    const entry = this.entries.get(name);
    return entry !== undefined && entry.cacheRoot === root && (entry.users > 0 || entry.model.isLoaded);
  }

  /** Out of the map now; its session released now or when its last user ends. */
  private retire(entry: Entry, reason: NonNullable<Entry['retired']>): void {
    if (this.entries.get(entry.name) === entry) this.entries.delete(entry.name);
    if (entry.retired) return;
    entry.retired = reason;
    if (entry.model.isLoaded) {
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
    // A session released twice, or one that failed to load, is nothing to release.
    void entry.model.release().catch(() => undefined);
  }

  /** A model whose session lives in this process: a single-model function's loader and service. */
  private inProcess(spec: RepositoryModelSpec): RepositoryModel {
    const { options } = this;
    const loader = new ModelLoader(
      { name: spec.name, source: modelSourceFor(spec.uri, options.s3), sha256: spec.sha256, session: options.session },
      options.cache,
      { ...options.events, onLoad: spec.onLoad },
    );
    return {
      get isLoaded() {
        return loader.isLoaded;
      },
      service: new ModelService({ name: spec.name, version: spec.version, loader, limits: options.limits, pipeline: options.pipeline }),
      release: async () => loader.current?.runner.session.release(),
    };
  }
}

/** The model's entry in `index`: undefined when it does not list it. */
function listed(index: RepositoryIndex, name: string): IndexedModel | undefined {
  return Object.hasOwn(index.models, name) ? index.models[name] : undefined;
}

/**
 * Why a listed model is not loaded, as Triton's index gives it: its last load's failure when it
 * failed (redacted as a 503's body is: no bucket, key, path or hash), else that none was asked for.
 */
function unavailable(entry: Entry | undefined): string {
  return entry?.failure === undefined
    ? 'not loaded: its first request loads it'
    : `its last load failed: ${redactInternals(entry.failure)}`;
}
