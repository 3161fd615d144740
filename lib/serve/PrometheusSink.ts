import type { ObservabilitySink, PhaseDurations, RequestRecord } from '../core/observability/records';
import { statusClass } from '../core/observability/records';
import type { ServerMetrics } from './metrics';

const PHASES = ['load', 'preprocess', 'inference', 'postprocess'] as const satisfies ReadonlyArray<keyof PhaseDurations>;

/**
 * The Router's request records, the same events the Lambda handlers turn into logs and EMF
 * metrics, as Prometheus series: per-phase durations and errors by status class. HTTP-level
 * counts (every route, /ping and /metrics included) stay with the server itself; load times
 * come from the pooled loader, which knows the weights and session stages apart.
 */
export class PrometheusSink implements ObservabilitySink {
  constructor(private readonly metrics: ServerMetrics) {}

  onRequest(record: RequestRecord): void {
    const model = record.model ?? '';
    for (const phase of PHASES) {
      const ms = record.durations[phase];
      if (ms !== undefined) this.metrics.phaseDuration.observe({ model, phase }, ms / 1000);
    }
    const cls = statusClass(record.status);
    if (cls === '4xx' || cls === '5xx') this.metrics.errors.inc({ model, class: cls });
    if (record.deadline) this.metrics.errors.inc({ model, class: `deadline-${record.deadline}` });
  }

  onLoad(): void {
    // Recorded by PooledModelLoader with its stage label (weights once, session per worker).
  }
}
