import type { Pipeline } from '../pipeline/Pipeline';
import { createDenseRegression } from './denseRegression';
import { createTextEmbedding } from './textEmbedding';
import { createTextOrientation } from './textOrientation';
import { createTextRecognition } from './textRecognition';
import { createVoiceActivity } from './voiceActivity';

export * from './denseRegression';
export * from './textEmbedding';
export * from './textOrientation';
export * from './textRecognition';
export * from './voiceActivity';

/**
 * The example domain pipelines with their default options, by name. A handler declares its
 * domain route as `pipelines.textRecognition`; one that needs other limits builds its own with
 * `createTextRecognition({ maxPixels: ... })`.
 */
export const pipelines = Object.freeze({
  textOrientation: createTextOrientation(),
  textRecognition: createTextRecognition(),
  voiceActivity: createVoiceActivity(),
  denseRegression: createDenseRegression(),
  textEmbedding: createTextEmbedding(),
} satisfies Record<string, Pipeline>);

export type PipelineName = keyof typeof pipelines;
export const PIPELINE_NAMES = Object.freeze(Object.keys(pipelines) as PipelineName[]);

/** The pipeline called `name` (from configuration); an unknown name fails listing the valid ones. */
export function getPipeline(name: string): Pipeline {
  if (!Object.hasOwn(pipelines, name)) {
    throw new Error(`unknown pipeline '${name}'; valid pipelines: ${PIPELINE_NAMES.join(', ')}`);
  }
  return pipelines[name as PipelineName];
}
