import type { LineWriter } from './PowertoolsSink';
import type { LoadRecord, ObservabilitySink, RequestRecord } from './records';

const ms = (v: number): string => (v < 10 ? v.toFixed(1) : Math.round(v).toString());

/** `POST /v2/models/{model}/infer tiny 200 12.3 ms`: what a person at a terminal reads. */
export function requestLine(r: RequestRecord): string {
  const parts = [r.method, r.route, r.model ?? '-', String(r.status), `${ms(r.durations.total)} ms`];
  if (r.coldStart) parts.push('(cold)');
  // A 5xx carries its message (4xx messages may echo caller input, and the caller has them).
  if (r.errorMessage !== undefined) parts.push(`: ${r.errorMessage}`);
  return parts.join(' ');
}

export function loadLine(r: LoadRecord): string {
  const from = r.origin ? ` from ${r.origin}` : '';
  const why = r.errorMessage !== undefined ? `: ${r.errorMessage}` : '';
  return `model ${r.model} ${r.outcome}${from} in ${ms(r.durationMs)} ms${why}`;
}

/**
 * One short line per request and per model load, for the local stack in a terminal. Lambda and
 * anything reading the logs get the Powertools JSON lines and EMF (PowertoolsSink) instead.
 */
export class TerminalSink implements ObservabilitySink {
  constructor(private readonly write: LineWriter = (line) => process.stdout.write(`${line}\n`)) {}

  onRequest(record: RequestRecord): void {
    this.write(requestLine(record));
  }

  onLoad(record: LoadRecord): void {
    this.write(loadLine(record));
  }
}
