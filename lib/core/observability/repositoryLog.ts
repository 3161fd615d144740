import { METRICS_NAMESPACE, METRIC_DIMENSIONS, SERVICE_NAME } from './metricNames';
import type { ModelDimension } from './modelDimension';

/** What one eviction reports (lib/core/repository/RepositoryStats.ts's EvictionRecord, as the log needs it). */
export interface EvictionLine {
  repository: string;
  model: string;
  reason: string;
  idleMs: number;
  residentBytes: number;
  loaded: number;
}

export interface RepositoryLogOptions {
  serviceName?: string;
  namespace?: string;
  /** Where lines go; default stdout, which Lambda ships to CloudWatch Logs. */
  write?: (line: string) => void;
  /** The model dimension's value (the repository's `metricModels` bound); default the model's name. */
  modelDimension?: ModelDimension;
}

/** Metric names of a repository function, beside the request and load metrics every function emits (metricNames.ts). */
export const REPOSITORY_METRICS = {
  evictions: 'ModelEvictions',
  residentBytes: 'RepositoryResidentBytes',
  loadedModels: 'RepositoryLoadedModels',
} as const;

/**
 * One log line per eviction of a repository's model (INFO, in the shape of the request and load
 * lines: level, message, service, timestamp, fields) and one CloudWatch EMF document with it:
 * ModelEvictions by model, and the repository's resident bytes and loaded models after it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * Loads and their times are the load records every function writes (PowertoolsSink.onLoad).
 */
export function repositoryLog(options: RepositoryLogOptions = {}): (record: EvictionLine) => void {
  const service = options.serviceName ?? SERVICE_NAME;
  const namespace = options.namespace ?? METRICS_NAMESPACE;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  return (record) => {
    try {
      const timestamp = Date.now();
      write(JSON.stringify({ level: 'INFO', message: 'model eviction', timestamp: new Date(timestamp).toISOString(), service, ...record }));
      write(
        JSON.stringify({
          _aws: {
            Timestamp: timestamp,
            CloudWatchMetrics: [
              {
                Namespace: namespace,
                Dimensions: [[METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.model]],
                Metrics: [
                  { Name: REPOSITORY_METRICS.evictions, Unit: 'Count' },
                  { Name: REPOSITORY_METRICS.residentBytes, Unit: 'Bytes' },
                  { Name: REPOSITORY_METRICS.loadedModels, Unit: 'Count' },
                ],
              },
            ],
          },
          [METRIC_DIMENSIONS.service]: service,
          [METRIC_DIMENSIONS.model]: options.modelDimension?.(record.model) ?? record.model,
          [REPOSITORY_METRICS.evictions]: 1,
          [REPOSITORY_METRICS.residentBytes]: record.residentBytes,
          [REPOSITORY_METRICS.loadedModels]: record.loaded,
        }),
      );
    } catch {
      // Observability never fails a request.
    }
  };
}
