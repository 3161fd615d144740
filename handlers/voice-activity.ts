/**
 * Silero VAD: WAV in, speech segments [{ start, end }] in seconds out (?probabilities=true adds per-frame probabilities).
 * OIP routes serve the same model on raw tensors; POST /models/{name}/predict is the domain route.
 */
import { createLambdaHandler } from '../lib/lambda/createLambdaHandler';
import { modelConfigFromEnv } from '../lib/lambda/modelConfigFromEnv';
// The pipeline's own file, not the pipelines table: the table pulls in the image steps and sharp.
import { createVoiceActivity } from '../lib/pipelines/voiceActivity';

export const handler = createLambdaHandler(modelConfigFromEnv(), { pipeline: createVoiceActivity() });
