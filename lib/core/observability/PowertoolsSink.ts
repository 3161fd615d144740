import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LoadRecord, ObservabilitySink, RequestRecord } from './records';
import { statusClass } from './records';
import { METRICS, METRICS_NAMESPACE, METRIC_DIMENSIONS, SERVICE_NAME } from './metricNames';

/** Receives one finished line (a JSON log line or an EMF document) without its newline. */
export type LineWriter = (line: string) => void;

export interface PowertoolsSinkOptions {
  /** The `service` key of log lines and the `service` dimension of metrics. */
  serviceName?: string;
  /** CloudWatch metrics namespace. */
  namespace?: string;
  /** `DEBUG`, `INFO`, `WARN`, `ERROR`, `SILENT`; unset, Powertools reads POWERTOOLS_LOG_LEVEL (default INFO). */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Where lines go. Default: stdout, which Lambda ships to CloudWatch Logs (EMF is read from there). */
  write?: LineWriter;
  /**
   * The Lambda version answering (AWS_LAMBDA_FUNCTION_VERSION): every document then also carries
   * the dimension set service, model, functionVersion, which the rollout alarms watch.
   * `$LATEST` and unset: no such set.
   */
  functionVersion?: string;
}

const DEFAULTS = { serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE } as const;

export { METRICS };

/**
 * Powertools for AWS Lambda: one structured JSON log line per request and per model load, and
 * one CloudWatch EMF document for each, with the model as a dimension. Counts that are 0 or 1
 * (ColdStart, Errors4xx, Errors5xx) are emitted on every request, so their Average is a rate.
 */
export class PowertoolsSink implements ObservabilitySink {
  readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly write: LineWriter;
  private readonly functionVersion: string | undefined;

  constructor(options: PowertoolsSinkOptions = {}) {
    const settings = { ...DEFAULTS, ...options };
    this.write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.functionVersion = options.functionVersion === '$LATEST' ? undefined : options.functionVersion;
    this.logger = new LineLogger(
      { serviceName: settings.serviceName, ...(settings.logLevel ? { logLevel: settings.logLevel } : {}) },
      this.write,
    );
    this.metrics = new Metrics({ namespace: settings.namespace, serviceName: settings.serviceName, logger: this.logger });
  }

  onRequest(record: RequestRecord): void {
    const { durations } = record;
    const fields = {
      model: record.model,
      requestId: record.requestId,
      route: record.route,
      method: record.method,
      status: record.status,
      coldStart: record.coldStart,
      durationsMs: durations,
      requestBytes: record.requestBytes,
      responseBytes: record.responseBytes,
      errorType: record.errorType,
      errorMessage: record.errorMessage,
      deadline: record.deadline,
    };
    // A 5xx that only repeats a load failure still backing off is a warning: that failure had
    // its own error line, and 100 readiness checks must not make 100 of them.
    if (record.status >= 500 && !record.repeated) this.logger.error('request', fields);
    else if (record.status >= 500) this.logger.warn('request', { ...fields, repeated: true });
    else this.logger.info('request', fields);

    const m = this.metrics;
    const cls = statusClass(record.status);
    m.addMetric(METRICS.requests, MetricUnit.Count, 1);
    m.addMetric(METRICS.latency, MetricUnit.Milliseconds, durations.total);
    if (durations.preprocess !== undefined) m.addMetric(METRICS.preprocessTime, MetricUnit.Milliseconds, durations.preprocess);
    if (durations.inference !== undefined) m.addMetric(METRICS.inferenceTime, MetricUnit.Milliseconds, durations.inference);
    if (durations.postprocess !== undefined) m.addMetric(METRICS.postprocessTime, MetricUnit.Milliseconds, durations.postprocess);
    m.addMetric(METRICS.coldStart, MetricUnit.Count, record.coldStart ? 1 : 0);
    m.addMetric(METRICS.errors4xx, MetricUnit.Count, cls === '4xx' ? 1 : 0);
    m.addMetric(METRICS.errors5xx, MetricUnit.Count, cls === '5xx' ? 1 : 0);
    if (record.deadline) m.addMetric(METRICS.deadlineExceeded, MetricUnit.Count, 1);
    this.flush(record.model, record.requestId);
  }

  onLoad(record: LoadRecord): void {
    const fields = {
      model: record.model,
      outcome: record.outcome,
      durationMs: record.durationMs,
      origin: record.origin,
      bytes: record.bytes,
      attempts: record.attempts,
      resumedBytes: record.resumedBytes,
      refetchedBytes: record.refetchedBytes,
      keptBytes: record.keptBytes,
      errorType: record.errorType,
      errorMessage: record.errorMessage,
    };
    if (record.outcome === 'failed') this.logger.error('model load', fields);
    else if (record.outcome === 'aborted') this.logger.warn('model load', fields);
    else this.logger.info('model load', fields);

    const m = this.metrics;
    if (record.outcome === 'loaded') m.addMetric(METRICS.modelLoadTime, MetricUnit.Milliseconds, record.durationMs);
    m.addMetric(METRICS.modelLoadFailures, MetricUnit.Count, record.outcome === 'failed' ? 1 : 0);
    if (record.resumedBytes !== undefined) m.addMetric(METRICS.resumedBytes, MetricUnit.Bytes, record.resumedBytes);
    if (record.refetchedBytes !== undefined) m.addMetric(METRICS.refetchedBytes, MetricUnit.Bytes, record.refetchedBytes);
    this.flush(record.model);
  }

  /** One EMF document to the writer; Powertools' own publish would always go to stdout. */
  private flush(model: string | undefined, requestId?: string): void {
    const m = this.metrics;
    try {
      m.addDimensions({ [METRIC_DIMENSIONS.model]: model ?? 'none' });
      if (this.functionVersion !== undefined) {
        m.addDimensions({ [METRIC_DIMENSIONS.model]: model ?? 'none', [METRIC_DIMENSIONS.functionVersion]: this.functionVersion });
      }
      // Metadata is in the document (searchable in Logs Insights) but is no dimension.
      if (requestId !== undefined) m.addMetadata('requestId', requestId);
      this.write(JSON.stringify(m.serializeMetrics()));
    } finally {
      m.clearMetrics();
      m.clearDimensions();
      m.clearMetadata();
    }
  }
}

/** Powertools' Logger, printing through `write` instead of its private stdout console. */
class LineLogger extends Logger {
  constructor(
    options: ConstructorParameters<typeof Logger>[0],
    private readonly writeLine: LineWriter,
  ) {
    super(options);
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const line = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    // Logger's constructor may warn before our field is set.
    if (this.writeLine) this.writeLine(line);
    else process.stdout.write(`${line}\n`);
  }
}
