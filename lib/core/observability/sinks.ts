import type { LoadRecord, ObservabilitySink, RequestRecord } from './records';
import { safely } from './RequestObservation';

/** A sink that drops everything: the default where nothing is configured. */
export const NO_SINK: ObservabilitySink = Object.freeze({ onRequest: () => {}, onLoad: () => {} });

/** Every record to every sink (Powertools logs and metrics plus the server's Prometheus, say). */
export function fanOut(...sinks: ObservabilitySink[]): ObservabilitySink {
  if (sinks.length === 1) return sinks[0] as ObservabilitySink;
  return {
    onRequest: (record: RequestRecord) => sinks.forEach((s) => safely(() => s.onRequest(record))),
    onLoad: (record: LoadRecord) => sinks.forEach((s) => safely(() => s.onLoad(record))),
  };
}
