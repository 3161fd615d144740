/**
 * Sentence embeddings: a JSON string or {"texts": [...]} in, { embeddings: [[...]] } out. The
 * model directory holds model.onnx (input_ids, attention_mask -> last_hidden_state) and its
 * tokenizer.json (+ tokenizer_config.json). OIP routes serve the same model on raw tensors.
 */
import { createLambdaHandler, modelConfigFromEnv } from 'onnxless/lambda';
// The pipeline's own file, not the pipelines table: the table pulls in the image steps and sharp.
import { createTextEmbedding } from 'onnxless/pipelines/text-embedding';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: createTextEmbedding() });
