import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/core/config/env';
import { offlineOutputFilter } from '../../../lib/tools/local/offlineOutput';
import { PowertoolsSink } from '../../../lib/core/observability/PowertoolsSink';
import { TerminalSink, requestLine } from '../../../lib/core/observability/TerminalSink';
import { sinkFromEnv } from '../../../lib/core/observability/sinkFromEnv';
import { type RequestRecord } from '../../../lib/core/observability/records';

const record: RequestRecord = {
  model: 'tiny',
  route: '/v2/models/{model}/infer',
  method: 'POST',
  status: 200,
  coldStart: false,
  durations: { total: 3.14159, inference: 1 },
  requestBytes: 10,
  responseBytes: 20,
};

describe('log format of the functions', () => {
  it('is Powertools JSON and EMF unless compact is asked for, as on Lambda', () => {
    expect(sinkFromEnv({}, {})).toBeInstanceOf(PowertoolsSink);
    expect(sinkFromEnv({}, { ONNXLESS_LOG_FORMAT: 'json' })).toBeInstanceOf(PowertoolsSink);
    expect(sinkFromEnv({}, { ONNXLESS_LOG_FORMAT: 'compact' })).toBeInstanceOf(TerminalSink);
    expect(() => sinkFromEnv({}, { ONNXLESS_LOG_FORMAT: 'pretty' })).toThrow(ConfigError);
  });

  it('prints one line per request: method, route, model, status, time; a 5xx adds its message', () => {
    const lines: string[] = [];
    new TerminalSink((l) => lines.push(l)).onRequest(record);
    expect(lines).toEqual(['POST /v2/models/{model}/infer tiny 200 3.1 ms']);
    expect(requestLine({ ...record, status: 503, coldStart: true, durations: { total: 250.4 }, errorMessage: 'model is loading' })).toBe(
      'POST /v2/models/{model}/infer tiny 503 250 ms (cold) : model is loading',
    );
  });
});

describe("serverless-offline's output in a terminal", () => {
  it('drops the route box and per-request lines, keeps the rest, whatever the chunking', () => {
    const filter = offlineOutputFilter('compact');
    const text = [
      'Starting Offline at stage dev (us-east-1)',
      '┌──────┐',
      '│   GET  | http://localhost:3000/v2/models/tiny   │',
      '└──────┘',
      'Server ready: http://localhost:3000 🚀',
      'GET /v2/models/tiny (λ: tiny)',
      '(λ: tiny) RequestId: 1a2b  Duration: 3.2 ms  Billed Duration: 4 ms',
      'GET /v2/models/tiny tiny 200 3.1 ms',
      '',
    ].join('\n');
    const out = [text.slice(0, 50), text.slice(50, 130), text.slice(130)].map(filter).join('');
    expect(out).toBe(
      'Starting Offline at stage dev (us-east-1)\nServer ready: http://localhost:3000 🚀\nGET /v2/models/tiny tiny 200 3.1 ms\n',
    );
    expect(offlineOutputFilter('json')(text)).toBe(text);
  });
});
