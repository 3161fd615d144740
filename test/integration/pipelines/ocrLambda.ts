import { createOcr } from '../../../lib/core/builtins/ocr';
import type { MultiModelPipeline } from '../../../lib/core/pipeline/MultiModelPipeline';
import { DEFAULT_LIMITS } from '../../../lib/core/protocol/limits';
import { createPipelineHandler } from '../../../lib/lambda/createPipelineHandler';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { httpApiEvent, type Result } from '../../support/httpApiEvent';
import { tempDir } from '../../support/testHandler';

/** The OCR pipeline's roles and the example models that fill them. */
export const OCR_MEMBERS = { detection: 'ocr-detection', orientation: 'ocr-orientation', recognition: 'ocr-recognition' } as const;

/**
 * The OCR pipeline's Lambda entry in this process, as a deployed function runs it: the route
 * table, each member's loader from its example model file, real onnxruntime sessions (one
 * intra-op thread: the CI box has two cores). `post` sends a page to its predict route.
 */
export function ocrLambda(pipeline: MultiModelPipeline = createOcr()) {
  const handler = createPipelineHandler(
    {
      name: 'ocr',
      members: Object.fromEntries(
        Object.entries(OCR_MEMBERS).map(([role, name]) => [role, { name, uri: EXAMPLE_WEIGHTS[name]!, version: '1' }]),
      ),
      cacheDir: tempDir(),
      eager: false,
      session: { intraOpThreads: 1 },
      limits: DEFAULT_LIMITS,
    },
    { pipeline, sink: { onRequest: () => {}, onLoad: () => {} } },
  );
  return {
    invoke: (event: unknown) => handler(event) as Promise<Result>,
    post: (body: Buffer, contentType = 'image/png') =>
      handler(httpApiEvent('POST', '/models/ocr/predict', { body, headers: { 'content-type': contentType } })) as Promise<Result>,
  };
}
