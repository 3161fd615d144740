import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ModelRunner, TensorSpec } from '../pipeline/Pipeline';
import type { ModelFiles } from './ModelFiles';
import { keepHalfBitsAll } from './halfBits';

/** A warm onnxruntime session behind the small ModelRunner interface that pipelines use. */
export class OnnxRunner implements ModelRunner {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];

  constructor(
    readonly session: InferenceSession,
    /** Companion files of the model's directory, for the pipelines. */
    readonly files?: ModelFiles,
  ) {
    this.inputs = session.inputMetadata.map(toSpec);
    this.outputs = session.outputMetadata.map(toSpec);
  }

  async run(feeds: Record<string, Tensor>, outputNames?: readonly string[]): Promise<Record<string, Tensor>> {
    keepHalfBitsAll(feeds);
    return keepHalfBitsAll(await (outputNames ? this.session.run(feeds, outputNames) : this.session.run(feeds)));
  }
}

function toSpec(meta: InferenceSession.ValueMetadata): TensorSpec {
  if (!meta.isTensor) return { name: meta.name, type: 'unknown', shape: [] };
  return { name: meta.name, type: meta.type, shape: meta.shape };
}
