import type { Tensor } from 'onnxruntime-node';
import type { ModelFiles } from '../core/onnx/ModelFiles';
import { OnnxRunner } from '../core/onnx/OnnxRunner';
import type { QueueTimeout } from '../core/batching/QueueTimeout';
import type { RecurrentLoop } from '../core/pipeline/Pipeline';
import type { PooledSession } from './PooledSession';

/**
 * The runner of a model served from the inference threads: the ordinary OnnxRunner over a
 * PooledSession, plus `runLoop`, so a recurrent pipeline (voice activity) runs its whole clip as
 * one task on one worker instead of one queue trip per frame.
 */
export class PooledRunner extends OnnxRunner {
  constructor(
    private readonly pooled: PooledSession,
    files?: ModelFiles,
  ) {
    super(pooled, files);
  }

  runLoop(loop: RecurrentLoop): Promise<Array<Record<string, Tensor>>> {
    return this.pooled.runLoop(loop);
  }

  /** `run` whose request is refused (408) in the model's queue once its own timeout has passed. */
  runWithin(
    feeds: Record<string, Tensor>,
    outputNames: readonly string[] | undefined,
    timeout: QueueTimeout,
  ): Promise<Record<string, Tensor>> {
    return this.pooled.runWithin(feeds, outputNames, timeout);
  }
}
