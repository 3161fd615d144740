import { InferenceSession, type Tensor } from 'onnxruntime-node';
import { dirname } from 'node:path';
import type { ModelRunner, TensorSpec } from '../../../lib/core/pipeline/Pipeline';
import { ModelFiles } from '../../../lib/core/onnx/ModelFiles';

/**
 * The smallest ModelRunner: one real onnxruntime session created from the model's file path,
 * no cache or S3 in between, so these tests exercise the pipelines and the real model only.
 * The file's folder stands for the model directory (the OCR package keeps its dictionary there).
 */
export async function directRunner(modelPath: string): Promise<ModelRunner & { session: InferenceSession }> {
  // One intra-op thread: the CI box has two cores and the tests run in two workers.
  const session = await InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const specs = (metadata: readonly InferenceSession.ValueMetadata[]): TensorSpec[] =>
    metadata.map((m) => ({
      name: m.name,
      type: m.isTensor ? m.type : 'unknown',
      shape: m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : d || -1)) : [],
    }));
  return {
    session,
    files: new ModelFiles(dirname(modelPath)),
    inputs: specs(session.inputMetadata),
    outputs: specs(session.outputMetadata),
    async run(feeds: Record<string, Tensor>, outputNames?: readonly string[]) {
      return outputNames === undefined ? session.run(feeds) : session.run(feeds, [...outputNames]);
    },
  };
}
