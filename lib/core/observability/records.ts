/**
 * What the request path reports to operators: one record per request and one per model load.
 * Records hold names, statuses, sizes and durations only: never tensor data, request or
 * response bodies, headers or credentials. Every sink (Powertools logs and EMF metrics on
 * Lambda, Prometheus in the container server) is built from these two events.
 */

/** The timed phases of a request, in the order they run. */
export const PHASES = ['load', 'preprocess', 'inference', 'postprocess'] as const;
export type Phase = (typeof PHASES)[number];

/** Milliseconds per phase that ran, plus the whole request. */
export type PhaseDurations = Partial<Record<Phase, number>> & { total: number };

/** Route templates, never raw paths: a caller's path would be unbounded log and metric cardinality. */
export const ROUTES = {
  server: '/v2',
  live: '/v2/health/live',
  serverReady: '/v2/health/ready',
  metadata: '/v2/models/{model}',
  modelReady: '/v2/models/{model}/ready',
  infer: '/v2/models/{model}/infer',
  predict: '/models/{model}/predict',
  /** An asynchronous request's status (lib/core/jobs). */
  job: '/models/{model}/jobs/{job}',
  openapi: '/openapi.json',
  /** The browser pages (lib/core/pages): the interactive reference, the playground, their files. */
  docs: '/docs',
  playground: '/playground',
  webAsset: '/web/{asset}',
  /** A direct Lambda `Invoke` with an OIP infer request as its payload. */
  invoke: 'invoke',
  unmatched: 'unmatched',
} as const;
export type RouteName = (typeof ROUTES)[keyof typeof ROUTES];

/** Which promise a deadline broke: a cold load (503) or an inference (504). */
export type DeadlineKind = 'load' | 'inference';

export interface RequestRecord {
  /** The served model the route addressed; absent for server routes and unknown model names. */
  model?: string;
  /** Lambda's request id (or the container server's), for correlating with platform logs. */
  requestId?: string;
  route: RouteName;
  method: string;
  status: number;
  /** First request this sandbox or process has handled. */
  coldStart: boolean;
  durations: PhaseDurations;
  /** Body bytes received (after base64 decoding) and sent (before base64 encoding). */
  requestBytes: number;
  responseBytes: number;
  /** Error class name for 4xx and 5xx; the message only for 5xx (a 4xx message may echo caller input). */
  errorType?: string;
  errorMessage?: string;
  /** Set when the answer was a deadline's 503 or 504. */
  deadline?: DeadlineKind;
  /**
   * Set when the 5xx repeats a load failure still backing off (ModelUnavailableError.repeated):
   * nothing was tried, and the failure had its own error line. Logged as a warning.
   */
  repeated?: true;
}

export interface LoadRecord {
  model: string;
  /** `aborted`: every waiter gave up (a deadline); the bytes downloaded so far are kept for the next load. */
  outcome: 'loaded' | 'failed' | 'aborted';
  /** Fetching the weights (or checking the cache) plus creating the session. */
  durationMs: number;
  origin?: 'download' | 'cache' | 'local-file';
  /** Size of the weights file. */
  bytes?: number;
  /** Download attempts (0 when the cache answered). */
  attempts?: number;
  /** Bytes a previous, stopped load had kept and this one did not fetch again. */
  resumedBytes?: number;
  /** Bytes fetched and thrown away (the object changed mid-download). */
  refetchedBytes?: number;
  /** Bytes an aborted load kept on disk for the next one. */
  keptBytes?: number;
  errorType?: string;
  errorMessage?: string;
}

/** Where records go. Implementations must not throw: observability never fails a request. */
export interface ObservabilitySink {
  onRequest(record: RequestRecord): void;
  onLoad(record: LoadRecord): void;
}

/** HTTP status -> the class metrics count it under. */
export function statusClass(status: number): '2xx' | '3xx' | '4xx' | '5xx' {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  if (status >= 300) return '3xx';
  return '2xx';
}
