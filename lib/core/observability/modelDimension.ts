/**
 * The model dimension (serve: label) every repository model without one of its own shares. No
 * model name can take it: names are [a-z0-9-].
 */
export const OTHER_MODELS_DIMENSION = '_other';

/** The value of a model's CloudWatch `model` dimension, given its name. */
export type ModelDimension = (model: string) => string;

/**
 * A repository function's bound on its metrics (the entry's `metricModels`): the listed models
 * keep a `model` dimension of their own, every other one counts under `_other`. CloudWatch bills
 * each distinct set of dimension values as metrics of their own, so a repository of 1,000
 * models would otherwise be ~10,000 custom metrics. The list is fixed at deploy, not first come
 * as serve's labels: each sandbox of a function sees its own first models, so only a list
 * bounds the fleet. Unset: every model its own.
 */
export function boundedModelDimension(metricModels: readonly string[] | undefined): ModelDimension | undefined {
  if (metricModels === undefined) return undefined;
  const own = new Set(metricModels);
  return (model) => (own.has(model) ? model : OTHER_MODELS_DIMENSION);
}
