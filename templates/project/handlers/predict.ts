/**
 * The example-predict function (serverless.yml): models/example behind the JSON route of
 * pipelines/predict.ts. The OIP routes serve the same model on raw tensors.
 */
import { createLambdaHandler, modelConfigFromEnv } from 'onnxless/lambda';
import { createPredictPipeline } from '../pipelines/predict.ts';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: createPredictPipeline() });
