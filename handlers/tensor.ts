/**
 * The generic tensor handler: any ONNX model, raw tensors in and out over OIP v2.
 * Configured by environment alone: ONNXLESS_MODEL_NAME, ONNXLESS_MODEL_URI,
 * ONNXLESS_MODEL_SHA256 (optional), ONNXLESS_CACHE_DIR (optional).
 */
import { createLambdaHandler } from '../lib/lambda/createLambdaHandler';
import { modelConfigFromEnv } from '../lib/lambda/modelConfigFromEnv';

export const handler = createLambdaHandler(modelConfigFromEnv());
