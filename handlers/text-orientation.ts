/**
 * PaddleOCR text-direction classifier: image of a text line in, { label: '0' | '180', score } out.
 * OIP routes serve the same model on raw tensors; POST /models/{name}/predict is the domain route.
 */
import { createLambdaHandler, modelConfigFromEnv } from 'onnxless/lambda';
import { createTextOrientation } from 'onnxless/pipelines/text-orientation';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: createTextOrientation() });
