import { OTHER_MODELS_DIMENSION } from '../core/observability/modelDimension';

/** The `model` label of every repository model past the cap: the Lambda function's dimension for such models. */
export const OTHER_MODELS_LABEL = OTHER_MODELS_DIMENSION;

/** Repository models with a label of their own unless the config says otherwise. */
export const DEFAULT_LABELLED_MODELS = 100;

/**
 * The value of the `model` label of /metrics, bounded: a repository of thousands of models would
 * otherwise add every model's series (a request histogram alone is 16 per route), and a
 * Prometheus server's memory and query time grow with the series. The configured models (and
 * the empty label of server routes) always keep theirs; the first `max` other models asked for
 * since the server started keep theirs too, and every later one counts under `_other`. First
 * come rather than most used: a series that moved between its own label and `_other` would
 * break its counters' monotony.
 */
export class ModelLabels {
  private readonly own = new Set<string>();

  constructor(
    private readonly max: number,
    private readonly kept: ReadonlySet<string> = new Set(),
  ) {}

  label(model: string): string {
    if (model === '' || this.kept.has(model) || this.own.has(model)) return model;
    if (this.own.size >= this.max) return OTHER_MODELS_LABEL;
    this.own.add(model);
    return model;
  }
}
