/**
 * The names CloudWatch sees: metric names, namespace and dimensions of the handlers' EMF
 * documents. Dashboards and the rollout alarms (lib/tools/deploy/alarms.ts) are built on these: keep
 * them stable.
 */
export const METRICS = {
  requests: 'Requests',
  latency: 'Latency',
  modelLoadTime: 'ModelLoadTime',
  modelLoadFailures: 'ModelLoadFailures',
  preprocessTime: 'PreprocessTime',
  inferenceTime: 'InferenceTime',
  postprocessTime: 'PostprocessTime',
  coldStart: 'ColdStart',
  errors4xx: 'Errors4xx',
  errors5xx: 'Errors5xx',
  deadlineExceeded: 'DeadlineExceeded',
  resumedBytes: 'ResumedBytes',
  refetchedBytes: 'RefetchedBytes',
} as const;

/** Powertools' `service` (log key and default dimension) and the metrics namespace, unless the environment sets them. */
export const SERVICE_NAME = 'onnxless';
export const METRICS_NAMESPACE = 'onnxless';

export const METRIC_DIMENSIONS = {
  service: 'service',
  model: 'model',
  /** The Lambda version that answered (a second dimension set, next to service and model). */
  functionVersion: 'functionVersion',
} as const;
