import { NamedError } from '../errors';
/** Base of the errors raised while building the OpenAPI document. */
export class OpenApiError extends NamedError {}

/**
 * A model's custom handler maps to no declared pipeline, so its domain route cannot be
 * described. Names the model, the handler, the pipeline looked for and the valid ones.
 */
export class UnknownPipelineError extends OpenApiError {
  readonly model: string;
  readonly handler: string;
  readonly pipeline: string;

  constructor(model: string, handler: string, pipeline: string, declared: readonly string[]) {
    super(
      `model '${model}': handler '${handler}' maps to pipeline '${pipeline}', which is not declared; ` +
        `declared pipelines: ${declared.join(', ') || 'none'}. Name the handler file after its pipeline ` +
        `in kebab-case (handlers/text-orientation.ts -> textOrientation) or map the handler in the handlerPipelines option.`,
    );
    this.model = model;
    this.handler = handler;
    this.pipeline = pipeline;
  }
}
