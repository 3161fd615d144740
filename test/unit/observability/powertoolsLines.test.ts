import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { PowertoolsSink } from '../../../lib/core/observability/PowertoolsSink';

/**
 * Powertools' own Logger, its printed lines captured: what the sink's lines must look like. No
 * field initialiser: the Logger's constructor may already print (with a sample rate set, a sampled
 * instance announces its DEBUG level), before a subclass's fields exist.
 */
class CapturingLogger extends Logger {
  declare lines: string[] | undefined;
  protected override printLog(_level: number, log: LogItem): void {
    log.prepareForPrint();
    (this.lines ??= []).push(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

const record = {
  model: 'tiny',
  requestId: 'r-1',
  route: '/v2/models/{model}/infer',
  method: 'POST',
  status: 200,
  coldStart: false,
  durations: { preprocess: 0.04, inference: 0.08, postprocess: 0.03, total: 0.18 },
  requestBytes: 4316,
  responseBytes: 5265,
} as const;

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['_X_AMZN_TRACE_ID', 'POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_LOGGER_SAMPLE_RATE']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

function sinkLines(options: ConstructorParameters<typeof PowertoolsSink>[0] = {}) {
  const lines: string[] = [];
  const sink = new PowertoolsSink({ ...options, write: (l) => lines.push(l) });
  return { sink, logs: () => lines.map((l) => JSON.parse(l)).filter((l) => l._aws === undefined) };
}

describe("the sink's log lines, written without Logger.info", () => {
  it('are the lines Powertools Logger prints for the same fields: same keys, same order, same values but the time', () => {
    process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    process.env.POWERTOOLS_LOGGER_SAMPLE_RATE = '0.25';
    const reference = new CapturingLogger({ serviceName: 'onnxless' });
    const { sink, logs } = sinkLines();
    const fields = {
      model: record.model,
      requestId: record.requestId,
      route: record.route,
      method: record.method,
      status: record.status,
      coldStart: record.coldStart,
      durationsMs: record.durations,
      requestBytes: record.requestBytes,
      responseBytes: record.responseBytes,
    };
    reference.info('request', fields);
    sink.onRequest(record);

    const expected = (reference.lines ?? []).map((l) => JSON.parse(l)).find((l) => l.message === 'request');
    const [actual] = logs();
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
    expect({ ...actual, timestamp: 't' }).toEqual({ ...expected, timestamp: 't' });
    expect(actual.xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(Math.abs(Date.parse(actual.timestamp) - Date.parse(expected.timestamp))).toBeLessThan(60_000);
  });

  it("follow Logger's level: WARN lets the 5xx lines through and drops the 2xx ones", () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    const { sink, logs } = sinkLines();
    sink.onRequest(record);
    sink.onRequest({ ...record, status: 503, errorType: 'ModelUnavailableError', errorMessage: 'x' });
    sink.onRequest({ ...record, status: 503, repeated: true });
    sink.onLoad({ model: 'tiny', outcome: 'loaded', durationMs: 3 });
    sink.onLoad({ model: 'tiny', outcome: 'failed', durationMs: 3 });
    expect(logs().map((l) => [l.level, l.message, l.status ?? l.outcome])).toEqual([
      ['ERROR', 'request', 503],
      ['WARN', 'request', 503],
      ['ERROR', 'model load', 'failed'],
    ]);
  });

  it('leave out the fields a record does not have', () => {
    const { sink, logs } = sinkLines({ logLevel: 'INFO' });
    sink.onRequest({
      route: '/v2/health/live',
      method: 'GET',
      status: 200,
      coldStart: true,
      durations: { total: 0.01 },
      requestBytes: 0,
      responseBytes: 0,
    });
    const [line] = logs();
    expect(line).not.toHaveProperty('model');
    expect(line).not.toHaveProperty('errorType');
    expect(line).not.toHaveProperty('xray_trace_id');
  });
});
