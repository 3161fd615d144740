import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RepositorySnapshot } from '../core/repository/RepositoryStats';
import { DEFAULT_LABELLED_MODELS, ModelLabels } from './ModelLabels';

/** What the metrics read of a model repository at each scrape. */
export interface RepositoryCounts {
  readonly name: string;
  snapshot(): RepositorySnapshot;
}

/** Latency buckets in seconds: 1 ms to 30 s (the API Gateway timeout on the Lambda side). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const LOAD_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

export interface MetricsOptions {
  /** Models whose `model` label is always their own: the configured models and pipelines. */
  keptModels?: Iterable<string>;
  /** Other models (a repository's) with a label of their own, the first asked for; the rest count under `_other` (ModelLabels.ts). */
  labelledModels?: number;
}

/**
 * The server's Prometheus metrics, on a registry of its own (several servers in one process,
 * as in tests, do not collide). Labels carry model names the server serves and route
 * templates only, never raw paths: cardinality stays bounded whatever callers send, and however
 * many models a repository holds (ModelLabels.ts: every metric's `model` label goes through it).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'model' | 'route' | 'status'>;
  readonly requestDuration: Histogram<'model' | 'route'>;
  readonly inFlight: Gauge;
  readonly queueDuration: Histogram<'model'>;
  readonly workerWait: Histogram<'model'>;
  readonly queueDepth: Gauge<'model'>;
  readonly batchRows: Histogram<'model'>;
  readonly batchRequests: Histogram<'model'>;
  readonly inferenceDuration: Histogram<'model'>;
  readonly loadDuration: Histogram<'model' | 'stage'>;
  readonly phaseDuration: Histogram<'model' | 'phase'>;
  readonly errors: Counter<'model' | 'class'>;
  private readonly queues = new Map<string, () => number>();
  private readonly repositories: RepositoryCounts[] = [];
  private readonly labels: ModelLabels;

  constructor(options: MetricsOptions = {}) {
    this.labels = new ModelLabels(options.labelledModels ?? DEFAULT_LABELLED_MODELS, new Set(options.keptModels ?? []));
    const registers = [this.registry];
    const label = (model: string) => this.labels.label(model);
    const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]) =>
      boundModelLabel(new Histogram<L>({ name, help, labelNames, buckets, registers }), label);
    this.requests = boundModelLabel(
      new Counter({
        name: 'onnxless_requests_total',
        help: 'HTTP requests by model (empty for server routes), route template and status code',
        labelNames: ['model', 'route', 'status'],
        registers,
      }),
      label,
    );
    this.requestDuration = histogram(
      'onnxless_request_duration_seconds',
      'HTTP request latency, from the first byte read to the last byte written',
      ['model', 'route'],
      LATENCY_BUCKETS,
    );
    this.inFlight = new Gauge({ name: 'onnxless_requests_in_flight', help: 'HTTP requests being handled now', registers });
    this.queueDuration = histogram(
      'onnxless_queue_duration_seconds',
      'Time a model call waited in the batching queue before its run started',
      ['model'],
      LATENCY_BUCKETS,
    );
    this.workerWait = histogram(
      'onnxless_worker_wait_seconds',
      "Time a model's task (a run, a batch or a recurrent loop) waited for an inference thread, behind other models' tasks",
      ['model'],
      LATENCY_BUCKETS,
    );
    const queues = this.queues;
    this.queueDepth = new Gauge({
      name: 'onnxless_queue_depth',
      help: 'Model calls waiting in the queue',
      labelNames: ['model'],
      registers,
      collect() {
        // Models under one label (`_other`) add up.
        this.reset();
        for (const [model, depth] of queues) this.inc({ model: label(model) }, depth());
      },
    });
    this.batchRows = histogram('onnxless_batch_size', 'Rows (the batch dimension) per model run', ['model'], BATCH_BUCKETS);
    this.batchRequests = histogram('onnxless_batch_requests', 'Model calls merged into one run', ['model'], BATCH_BUCKETS);
    this.inferenceDuration = histogram(
      'onnxless_inference_duration_seconds',
      'session.run time inside a worker thread, per task (a batch or a whole recurrent loop counts once)',
      ['model'],
      LATENCY_BUCKETS,
    );
    this.loadDuration = histogram(
      'onnxless_model_load_duration_seconds',
      "Model load time: stage 'weights' (fetch and verify, once), 'session' (per worker thread)",
      ['model', 'stage'],
      LOAD_BUCKETS,
    );
    this.phaseDuration = histogram(
      'onnxless_phase_duration_seconds',
      'Request phases as the Lambda logs report them: load, preprocess, inference, postprocess',
      ['model', 'phase'],
      LATENCY_BUCKETS,
    );
    this.errors = boundModelLabel(
      new Counter({
        name: 'onnxless_errors_total',
        help: 'Routed requests answered with an error, by status class (4xx, 5xx) or broken deadline',
        labelNames: ['model', 'class'],
        registers,
      }),
      label,
    );
    this.repositorySeries();
    // Event-loop lag and process memory: the first place to look when /ping slows down.
    collectDefaultMetrics({ register: this.registry, prefix: 'onnxless_' });
  }

  /** A repository's counts on every scrape: per model hits, loads, evictions, last load time; loaded models and resident bytes. */
  trackRepository(repository: RepositoryCounts): void {
    this.repositories.push(repository);
  }

  /**
   * The repositories' series, read from their snapshots at each scrape (the counts live in
   * lib/core/repository, as on Lambda). A model's labels appear once it is first asked for.
   */
  private repositorySeries(): void {
    const registers = [this.registry];
    const repositories = this.repositories;
    type Counts = RepositorySnapshot['models'][string];
    // A model past the label cap counts under `_other`: its counts add to that series.
    const eachModel = (value: (counts: Counts) => number | undefined, put: (labels: Record<string, string>, v: number) => void) => {
      for (const repository of repositories)
        for (const [model, counts] of Object.entries(repository.snapshot().models)) {
          const v = value(counts);
          if (v !== undefined) put({ repository: repository.name, model: this.labels.label(model) }, v);
        }
    };
    // Counts kept by the repository, read as counters (TYPE counter, `_total`) at each scrape.
    const perModelCount = (name: string, help: string, value: (counts: Counts) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['repository', 'model'],
        registers,
        collect() {
          this.reset();
          eachModel(value, (labels, v) => this.inc(labels, v));
        },
      });
    // A count adds up under `_other`; a value (the last load's time) is the last model's there.
    const perModel = (name: string, help: string, value: (counts: Counts) => number | undefined, adds = true) =>
      new Gauge({
        name,
        help,
        labelNames: ['repository', 'model'],
        registers,
        collect() {
          this.reset();
          eachModel(value, (labels, v) => (adds ? this.inc(labels, v) : this.set(labels, v)));
        },
      });
    const whole = (name: string, help: string, value: (snapshot: RepositorySnapshot) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['repository'],
        registers,
        collect() {
          for (const repository of repositories) this.set({ repository: repository.name }, value(repository.snapshot()));
        },
      });
    perModelCount('onnxless_repository_model_hits_total', "Requests that found the repository's model loaded", (c) => c.hits);
    perModelCount('onnxless_repository_model_loads_total', "Loads of the repository's model (again after an eviction)", (c) => c.loads);
    perModel(
      'onnxless_repository_model_evictions_total',
      "Unloads of the repository's model: budget, re-pinned, removed or asked for",
      (c) => c.evictions,
    );
    perModel(
      'onnxless_repository_model_last_load_seconds',
      'How long the last load of the model took (weights and session)',
      (c) => (c.lastLoadMs === undefined ? undefined : c.lastLoadMs / 1000),
      false,
    );
    whole('onnxless_repository_loaded_models', 'Models of the repository with a session now', (s) => s.loaded);
    whole(
      'onnxless_repository_resident_bytes',
      "Memory the repository's loaded sessions are taken to hold (weights + 256 KiB each)",
      (s) => s.residentBytes,
    );
    whole('onnxless_repository_disk_bytes', "Bytes of the repository's model files in the cache folder", (s) => s.diskBytes);
  }

  /** Reports a model's queue depth at every scrape. */
  trackQueue(model: string, depth: () => number): void {
    this.queues.set(model, depth);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

type LabelValues = Record<string, string | number>;

/**
 * The metric with the `model` label of every observation passed through `label` (prom-client's
 * `inc`, `observe` and `set` take the labels first when they take any): every call site, in
 * every file, gets the bounded label without knowing of it.
 */
function boundModelLabel<T extends object>(metric: T, label: (model: string) => string): T {
  const methods = metric as unknown as Record<string, unknown>;
  for (const method of ['inc', 'observe', 'set']) {
    const original = methods[method];
    if (typeof original !== 'function') continue;
    methods[method] = (labels?: LabelValues | number, ...rest: unknown[]) => {
      const bounded =
        typeof labels === 'object' && labels !== null && typeof labels.model === 'string'
          ? { ...labels, model: label(labels.model) }
          : labels;
      return (original as (...args: unknown[]) => unknown).call(metric, bounded, ...rest);
    };
  }
  return metric;
}
