/**
 * CloudWatch's embedded metric format, written by hand: one document per request or load, the
 * metrics' values at the root next to their dimensions
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 *
 * Not through Powertools Metrics, on the request path: a CPU profile of a warm call showed its
 * per-document bookkeeping (storing each metric, merging dimension sets, reading the environment
 * again, building the directive) costing more than the tiny model's own `session.run`
 * (docs/benchmarks.md, "Figures behind the code"). What a document needs is fixed here: one
 * namespace, the dimension sets chosen at start, a handful of named values. The spec's JSON
 * schema checks the output in test/unit/observability/emfDocument.test.ts.
 */

/** The units onnxless records (the spec's Unit enumeration holds many more). */
export type EmfUnit = 'Count' | 'Milliseconds' | 'Bytes';

/** A metric as the document lists it: name, unit and value. */
export type EmfMetric = readonly [name: string, unit: EmfUnit, value: number];

export interface EmfSettings {
  namespace: string;
  /** Each set's dimension names; each name must be a key of every document's `dimensions`. */
  dimensionSets: readonly (readonly string[])[];
}

/**
 * Writes documents for one namespace and one choice of dimension sets. The directive's
 * `Metrics` list is built once per distinct list of metric names and reused: a request's
 * document differs from the last one only in its values.
 */
export class EmfDocuments {
  private readonly directives = new Map<string, unknown>();

  constructor(private readonly settings: EmfSettings) {}

  /**
   * One document as a JSON line (no newline). `dimensions` are the sets' values; `metadata` is
   * carried at the root for Logs Insights but is no dimension. Values must be finite numbers.
   */
  document(
    dimensions: Readonly<Record<string, string>>,
    metrics: readonly EmfMetric[],
    metadata: Readonly<Record<string, string | undefined>> = {},
    timestamp: number = Date.now(),
  ): string {
    const doc: Record<string, unknown> = {
      _aws: { Timestamp: timestamp, CloudWatchMetrics: [this.directive(metrics)] },
      ...metadata,
      ...dimensions,
    };
    for (const [name, , value] of metrics) doc[name] = value;
    return JSON.stringify(doc);
  }

  private directive(metrics: readonly EmfMetric[]): unknown {
    const key = metrics.map(([name, unit]) => `${name}:${unit}`).join(',');
    let directive = this.directives.get(key);
    if (directive === undefined) {
      directive = {
        Namespace: this.settings.namespace,
        Dimensions: this.settings.dimensionSets.map((set) => [...set]),
        Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
      };
      this.directives.set(key, directive);
    }
    return directive;
  }
}
