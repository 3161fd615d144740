/**
 * A dense regression network trained with `npm run train`: a JSON array of numbers in, the
 * network's outputs out. OIP routes serve the same model on raw tensors.
 */
import { createLambdaHandler, modelConfigFromEnv } from 'onnxless/lambda';
// The pipeline's own file, not the pipelines table: the table pulls in the image steps and sharp.
import { createDenseRegression } from 'onnxless/pipelines/dense-regression';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: createDenseRegression() });
