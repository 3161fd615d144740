/**
 * PaddleOCR v4 text recognition: image of one text line in, { text, confidence } out.
 * OIP routes serve the same model on raw tensors; POST /models/{name}/predict is the domain route.
 */
import { createLambdaHandler, modelConfigFromEnv } from 'onnxless/lambda';
import { createTextRecognition } from 'onnxless/pipelines/text-recognition';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: createTextRecognition() });
