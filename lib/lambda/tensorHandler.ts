/**
 * `onnxless/lambda/tensor`: the generic tensor handler, any ONNX model with raw OIP v2 tensors in
 * and out. Configured by the environment the plugin writes (ONNXLESS_MODEL_NAME,
 * ONNXLESS_MODEL_URI, ONNXLESS_MODEL_SHA256, ...): a model with no `handler:` uses it, with no
 * file in the user's project.
 */
import { createLambdaHandler } from './createLambdaHandler';
import { modelConfigFromEnv } from './modelConfigFromEnv';

export const handler = createLambdaHandler(modelConfigFromEnv());
