import type { ModelRunner, PredictRequest } from './Pipeline';

/**
 * A domain route over several models (Triton's ensembles, TorchServe's workflows): the steps are
 * plain TypeScript, handed each member model's warm session by its role. The registry entry of
 * kind `pipeline` gives each role its own weights, pin and version (docs/pipelines.md).
 */
export interface MultiModelPipeline<Result = unknown, Role extends string = string> {
  /** The member models' roles, as the registry entry's `models:` must name them. */
  readonly models: readonly Role[];
  /** Media types the route accepts; anything else is a 415 listing these. */
  readonly accepts: readonly string[];
  /** Short human description for the OpenAPI document. */
  readonly description: string;
  /** JSON schema of the result, for the OpenAPI document. */
  readonly resultSchema?: Record<string, unknown>;
  predict(request: PredictRequest, runners: Readonly<Record<Role, ModelRunner>>): Promise<Result>;
}
