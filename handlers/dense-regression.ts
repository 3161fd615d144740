/**
 * A dense regression network trained with `npm run train`: a JSON array of numbers in, the
 * network's outputs out. OIP routes serve the same model on raw tensors.
 */
import { createLambdaHandler } from '../lib/lambda/createLambdaHandler';
import { modelConfigFromEnv } from '../lib/lambda/modelConfigFromEnv';
import { pipelines } from '../lib/pipelines';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: pipelines.denseRegression });
