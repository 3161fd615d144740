import type { MultiModelPipeline } from '../pipeline/MultiModelPipeline';
import { createOcr } from './ocr';

/**
 * The example pipelines of several models, by the name their handler's file gives
 * (`handlers/ocr.handler` -> `ocr`): what `onnxless serve` runs for a `kind: pipeline` entry.
 */
export const MULTI_MODEL_PIPELINES = Object.freeze({
  ocr: createOcr(),
} satisfies Record<string, MultiModelPipeline>);

/** The pipeline called `name`; an unknown name fails listing the valid ones. */
export function getMultiModelPipeline(name: string): MultiModelPipeline {
  if (!Object.hasOwn(MULTI_MODEL_PIPELINES, name)) {
    throw new Error(`unknown pipeline of models '${name}'; valid: ${Object.keys(MULTI_MODEL_PIPELINES).join(', ')}`);
  }
  return MULTI_MODEL_PIPELINES[name as keyof typeof MULTI_MODEL_PIPELINES];
}
