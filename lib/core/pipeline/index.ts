/**
 * `onnxless/pipeline`: the types a model's own pre/post-processing is written with, and the
 * errors it throws for bad input (each carries its HTTP status: a 4xx names what to change).
 */
export type { ModelRunner, Pipeline, PredictRequest, RecurrentLoop, TensorSpec } from './Pipeline';
export type { CompanionFiles } from './CompanionFiles';
export type { MultiModelPipeline } from './MultiModelPipeline';
export {
  BadRequestError,
  MethodNotAllowedError,
  NotFoundError,
  OnnxlessError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../errors';
