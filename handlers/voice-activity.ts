/**
 * Silero VAD: WAV in, speech segments [{ start, end }] in seconds out (?probabilities=true adds per-frame probabilities).
 * OIP routes serve the same model on raw tensors; POST /models/{name}/predict is the domain route.
 */
import { createLambdaHandler, modelConfigFromEnv } from 'onnxless/lambda';
// The pipeline's own file, not the pipelines table: the table pulls in the image steps and sharp.
import { createVoiceActivity } from 'onnxless/pipelines/voice-activity';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: createVoiceActivity() });
