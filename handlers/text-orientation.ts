/**
 * PaddleOCR text-direction classifier: image of a text line in, { label: '0' | '180', score } out.
 * OIP routes serve the same model on raw tensors; POST /models/{name}/predict is the domain route.
 */
import { createLambdaHandler } from '../lib/lambda/createLambdaHandler';
import { modelConfigFromEnv } from '../lib/lambda/modelConfigFromEnv';
import { pipelines } from '../lib/pipelines';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: pipelines.textOrientation });
