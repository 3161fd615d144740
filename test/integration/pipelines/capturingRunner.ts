import type { Tensor } from 'onnxruntime-node';
import type { ModelRunner } from '../../../lib/core/pipeline/Pipeline';

/** Wraps a runner and records every feed and output, to check what a pipeline gave the model. */
export function capturingRunner(inner: ModelRunner) {
  const calls: { feeds: Record<string, Tensor>; outputs: Record<string, Tensor> }[] = [];
  const runner: ModelRunner = {
    inputs: inner.inputs,
    outputs: inner.outputs,
    files: inner.files,
    async run(feeds, outputNames) {
      const outputs = await inner.run(feeds, outputNames);
      calls.push({ feeds, outputs });
      return outputs;
    },
  };
  return { runner, calls };
}

/** A runner for tests that must fail before any inference: every call is counted and refused. */
export function refusingRunner(): ModelRunner & { calls: number } {
  return {
    calls: 0,
    inputs: [],
    outputs: [],
    async run() {
      this.calls++;
      throw new Error('the model must not run for this request');
    },
  };
}
