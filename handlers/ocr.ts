/**
 * Full-page OCR, a pipeline of three PaddleOCR models in one function: a photo or scan in, the
 * lines of text out (POST /models/{name}/predict). Each member model (detection, orientation,
 * recognition) keeps its own OIP routes here, on the same sessions.
 */
import { createPipelineHandler, pipelineConfigFromEnv } from 'onnxless/lambda';
import { createOcr } from 'onnxless/pipelines/ocr';

export const handler = createPipelineHandler(pipelineConfigFromEnv(), { pipeline: createOcr() });
