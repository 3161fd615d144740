import { getXRayTraceIdFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { Logger, LogLevelThreshold, type LogItem } from '@aws-lambda-powertools/logger';
import { EmfDocuments, type EmfMetric } from './emfDocument';
import { durationsJson, isoTimestamp, member } from './recordJson';
import type { LoadRecord, ObservabilitySink, RequestRecord } from './records';
import { statusClass } from './records';
import { METRICS, METRICS_NAMESPACE, METRIC_DIMENSIONS, SERVICE_NAME } from './metricNames';
import type { ModelDimension } from './modelDimension';

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
  /**
   * The `model` dimension of a model's documents (a repository's `metricModels` bound,
   * modelDimension.ts); where it is not the model's name, the name is in the document as
   * `modelName` (searchable in Logs Insights, no dimension). Default: the name.
   */
  modelDimension?: ModelDimension;
}

const DEFAULTS = { serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE } as const;

export { METRICS };

/**
 * One structured JSON log line per request and per model load, in Powertools Logger's format
 * and at its level (POWERTOOLS_LOG_LEVEL, Lambda's log-level controls), and one CloudWatch EMF
 * document for each, with the model as a dimension. Counts that are 0 or 1 (ColdStart,
 * Errors4xx, Errors5xx) are emitted on every request, so their Average is a rate.
 *
 * The two lines are built directly (LineLogger.line, emfDocument.ts), not through Logger.info
 * and Powertools Metrics: on a warm call of a small model those two cost more than the model's
 * own run (a CPU profile, docs/benchmarks.md "Figures behind the code"), and a request has
 * fixed fields that need none of their merging. The Logger still decides the level.
 */
export class PowertoolsSink implements ObservabilitySink {
  private readonly logger: LineLogger;
  private readonly emf: EmfDocuments;
  /**
   * A record's lines, written together: by default one synchronous write to stdout for the log
   * line and the document, before the answer leaves. On Lambda, stdout is a pipe the platform
   * reads line by line, one CloudWatch event per line (so the EMF document is a line of its own);
   * the Node.js runtime's console patch writes to a separate telemetry descriptor with
   * fs.writeSync and leaves process.stdout as it is (aws/aws-lambda-nodejs-runtime-interface-client,
   * src/LogPatch.js). The write is most of this sink's cost on a warm call, nearly all of it the
   * kernel waking the pipe's reader (docs/benchmarks.md, "Figures behind the code"). It could move
   * after the answer: the runtime posts a handler's result synchronously, then asks for the next
   * event on a setImmediate turn (src/CallbackContext.js `complete`, src/Runtime.js
   * `scheduleIteration`), so lines queued for that turn would still be written before the sandbox
   * can freeze (measured in docs/benchmarks.md). Not done: every stdout writer of the process (the
   * repository's eviction lines, the jobs' lines) would have to share that queue for lines to stay
   * in order, a process killed between answer and write would lose the record, and `serve` shares
   * this sink.
   */
  private readonly writeRecord: (log: string | undefined, doc: string) => void;
  private readonly service: string;
  private readonly functionVersion: string | undefined;
  private readonly modelDimension: ModelDimension | undefined;
  /** Each model's dimension values: one object per model, so the EMF writer keeps their text. */
  private readonly dimensions = new Map<string, Readonly<Record<string, string>>>();

  constructor(options: PowertoolsSinkOptions = {}) {
    const settings = { ...DEFAULTS, ...options };
    const custom = options.write;
    const write: LineWriter = custom ?? ((line: string) => process.stdout.write(`${line}\n`));
    this.functionVersion = options.functionVersion === '$LATEST' ? undefined : options.functionVersion;
    this.service = settings.serviceName;
    this.modelDimension = options.modelDimension;
    this.logger = new LineLogger(
      { serviceName: settings.serviceName, ...(settings.logLevel ? { logLevel: settings.logLevel } : {}) },
      write,
    );
    const base = [METRIC_DIMENSIONS.service, METRIC_DIMENSIONS.model];
    this.emf = new EmfDocuments({
      namespace: settings.namespace,
      dimensionSets: this.functionVersion === undefined ? [base] : [base, [...base, METRIC_DIMENSIONS.functionVersion]],
    });
    this.writeRecord = custom
      ? (log, doc) => {
          if (log !== undefined) custom(log);
          custom(doc);
        }
      : (log, doc) => process.stdout.write(log === undefined ? `${doc}\n` : `${log}\n${doc}\n`);
  }

  onRequest(record: RequestRecord): void {
    const { durations } = record;
    const now = Date.now();
    // A 5xx that only repeats a load failure still backing off is a warning: that failure had
    // its own error line, and 100 readiness checks must not make 100 of them.
    const level = record.status < 500 ? 'INFO' : record.repeated ? 'WARN' : 'ERROR';
    const log = this.logger.line(level, 'request', () => requestMembers(record, level === 'WARN'), now);

    const cls = statusClass(record.status);
    const metrics: EmfMetric[] = [
      [METRICS.requests, 'Count', 1],
      [METRICS.latency, 'Milliseconds', durations.total],
    ];
    if (durations.preprocess !== undefined) metrics.push([METRICS.preprocessTime, 'Milliseconds', durations.preprocess]);
    if (durations.inference !== undefined) metrics.push([METRICS.inferenceTime, 'Milliseconds', durations.inference]);
    if (durations.postprocess !== undefined) metrics.push([METRICS.postprocessTime, 'Milliseconds', durations.postprocess]);
    metrics.push(
      [METRICS.coldStart, 'Count', record.coldStart ? 1 : 0],
      [METRICS.errors4xx, 'Count', cls === '4xx' ? 1 : 0],
      [METRICS.errors5xx, 'Count', cls === '5xx' ? 1 : 0],
    );
    if (record.deadline) metrics.push([METRICS.deadlineExceeded, 'Count', 1]);
    this.emit(log, record.model, metrics, now, record.requestId);
  }

  onLoad(record: LoadRecord): void {
    const now = Date.now();
    const level = record.outcome === 'failed' ? 'ERROR' : record.outcome === 'aborted' ? 'WARN' : 'INFO';
    const log = this.logger.line(level, 'model load', () => loadMembers(record), now);

    const metrics: EmfMetric[] = [];
    if (record.outcome === 'loaded') metrics.push([METRICS.modelLoadTime, 'Milliseconds', record.durationMs]);
    metrics.push([METRICS.modelLoadFailures, 'Count', record.outcome === 'failed' ? 1 : 0]);
    if (record.resumedBytes !== undefined) metrics.push([METRICS.resumedBytes, 'Bytes', record.resumedBytes]);
    if (record.refetchedBytes !== undefined) metrics.push([METRICS.refetchedBytes, 'Bytes', record.refetchedBytes]);
    this.emit(log, record.model, metrics, now);
  }

  /**
   * The record's log line (when its level is on) and its EMF document, in one write. The request
   * id is metadata in the document (searchable in Logs Insights), no dimension.
   */
  private emit(log: string | undefined, model: string | undefined, metrics: readonly EmfMetric[], now: number, requestId?: string): void {
    const dimension = model === undefined ? 'none' : this.modelDimension === undefined ? model : this.modelDimension(model);
    const doc = this.emf.document(
      this.dimensionsOf(dimension),
      metrics,
      dimension === model ? { requestId } : { requestId, modelName: model },
      now,
    );
    this.writeRecord(log, doc);
  }

  private dimensionsOf(model: string): Readonly<Record<string, string>> {
    let dimensions = this.dimensions.get(model);
    if (dimensions === undefined) {
      const values: Record<string, string> = { [METRIC_DIMENSIONS.service]: this.service, [METRIC_DIMENSIONS.model]: model };
      if (this.functionVersion !== undefined) values[METRIC_DIMENSIONS.functionVersion] = this.functionVersion;
      dimensions = Object.freeze(values);
      this.dimensions.set(model, dimensions);
    }
    return dimensions;
  }
}

export type LineLevel = 'INFO' | 'WARN' | 'ERROR';

/** A request's plain fields, in the order its lines have always had them (operators' queries know them). */
const REQUEST_FIELDS = ['model', 'requestId', 'route', 'method', 'status', 'coldStart'] as const;
/** After the request's `durationsMs`. */
const REQUEST_FIELDS_AFTER = ['requestBytes', 'responseBytes', 'errorType', 'errorMessage', 'deadline'] as const;
const LOAD_FIELDS = [
  'model',
  'outcome',
  'durationMs',
  'origin',
  'bytes',
  'attempts',
  'resumedBytes',
  'refetchedBytes',
  'keptBytes',
  'errorType',
  'errorMessage',
] as const;

/** A request's fields; `repeated` on a WARN line. */
function requestMembers(record: RequestRecord, repeated: boolean): string {
  return (
    fieldMembers(record, REQUEST_FIELDS) +
    `,"durationsMs":${durationsJson(record.durations)}` +
    fieldMembers(record, REQUEST_FIELDS_AFTER) +
    (repeated ? member('repeated', true) : '')
  );
}

function loadMembers(record: LoadRecord): string {
  return fieldMembers(record, LOAD_FIELDS);
}

function fieldMembers<R extends object>(record: R, keys: readonly (keyof R & string)[]): string {
  let text = '';
  for (const key of keys) text += member(key, record[key] as string | number | boolean | undefined);
  return text;
}

/** Powertools' Logger, printing through `write` instead of its private stdout console. */
class LineLogger extends Logger {
  /**
   * What Powertools puts in every line and does not change between lines (service, sampling
   * rate), as JSON members with their leading commas; and the level lines must reach, read once:
   * nothing changes this private Logger's level after its constructor (which applies
   * POWERTOOLS_LOG_LEVEL, Lambda's log-level control and the sample rate), and reading it through
   * Logger's getter consults the invocation store and the environment on every call.
   */
  private constant?: { members: string; threshold: number };

  constructor(
    options: ConstructorParameters<typeof Logger>[0],
    private readonly writeLine: LineWriter,
  ) {
    super(options);
  }

  /**
   * A line as Logger.info/warn/error would print it (the same keys, in its order: level,
   * message, timestamp, service, sampling_rate, xray_trace_id, then the fields), when the
   * Logger's level lets it through (else undefined, and the fields are not written). `members`
   * writes the fields as JSON members (recordJson.ts).
   */
  line(level: LineLevel, message: string, members: () => string, now: number = Date.now()): string | undefined {
    this.constant ??= this.constantAttributes();
    if (LogLevelThreshold[level] < this.constant.threshold) return undefined;
    const head = `{"level":"${level}","message":${JSON.stringify(message)},"timestamp":"${isoTimestamp(now)}"`;
    return `${head}${this.constant.members}${member('xray_trace_id', getXRayTraceIdFromEnv())}${members()}}`;
  }

  private constantAttributes(): { members: string; threshold: number } {
    const attributes = this.createAndPopulateLogItem(LogLevelThreshold.INFO, '', []).getAttributes();
    const members = JSON.stringify({ service: attributes.service, sampling_rate: attributes.sampling_rate });
    return { members: members.length > 2 ? `,${members.slice(1, -1)}` : '', threshold: this.level };
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const line = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    // Logger's constructor may warn before our field is set.
    if (this.writeLine) this.writeLine(line);
    else process.stdout.write(`${line}\n`);
  }
}
