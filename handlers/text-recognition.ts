/**
 * PaddleOCR v4 text recognition: image of one text line in, { text, confidence } out.
 * OIP routes serve the same model on raw tensors; POST /models/{name}/predict is the domain route.
 */
import { createLambdaHandler } from '../lib/lambda/createLambdaHandler';
import { modelConfigFromEnv } from '../lib/lambda/modelConfigFromEnv';
import { pipelines } from '../lib/pipelines';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: pipelines.textRecognition });
