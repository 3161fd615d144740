import { numberJson } from './recordJson';

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
 * Writes documents for one namespace and one choice of dimension sets, as text: a request's
 * document differs from the last one only in its values, so what does not change is written once.
 * The directive (namespace, dimension sets, metric names and units) is kept as JSON text per
 * distinct list of metric names, with each name already quoted; the dimension members per
 * `dimensions` object handed in (the sink hands the same object for each model). The members come
 * out in the order an object would give them: `_aws`, metadata, dimensions, metric values.
 */
export class EmfDocuments {
  private readonly directives = new Map<string, Directive>();
  private readonly dimensionMembers = new WeakMap<object, string>();

  constructor(private readonly settings: EmfSettings) {}

  /**
   * One document as a JSON line (no newline). `dimensions` are the sets' values; `metadata` is
   * carried at the root for Logs Insights but is no dimension (an undefined value is left out).
   * Values must be finite numbers; metric names must differ from the metadata and dimension keys.
   */
  document(
    dimensions: Readonly<Record<string, string>>,
    metrics: readonly EmfMetric[],
    metadata: Readonly<Record<string, string | undefined>> = {},
    timestamp: number = Date.now(),
  ): string {
    const directive = this.directive(metrics);
    let dims = this.dimensionMembers.get(dimensions);
    if (dims === undefined) {
      dims = members(dimensions);
      this.dimensionMembers.set(dimensions, dims);
    }
    let text = `{"_aws":{"Timestamp":${timestamp},"CloudWatchMetrics":[${directive.json}]}${members(metadata)}${dims}`;
    for (let i = 0; i < metrics.length; i++) text += `,${directive.quotedNames[i]}:${numberJson((metrics[i] as EmfMetric)[2])}`;
    return `${text}}`;
  }

  private directive(metrics: readonly EmfMetric[]): Directive {
    let key = '';
    for (const [name, unit] of metrics) key += `${name}:${unit},`;
    let directive = this.directives.get(key);
    if (directive === undefined) {
      directive = {
        json: JSON.stringify({
          Namespace: this.settings.namespace,
          Dimensions: this.settings.dimensionSets,
          Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
        }),
        quotedNames: metrics.map(([name]) => JSON.stringify(name)),
      };
      this.directives.set(key, directive);
    }
    return directive;
  }
}

interface Directive {
  /** The `CloudWatchMetrics` entry as JSON text. */
  json: string;
  /** Each metric's name as a JSON string, in the directive's order. */
  quotedNames: readonly string[];
}

/** An object's members as JSON text, each with its leading comma; undefined values left out, as JSON.stringify does. */
function members(values: Readonly<Record<string, string | undefined>>): string {
  let text = '';
  for (const key of Object.keys(values)) {
    const value = values[key];
    if (value !== undefined) text += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  return text;
}
