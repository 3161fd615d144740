import { Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { ModelRunner, RecurrentLoop } from '../../../lib/core/pipeline';
import { runLoopSteps, runRecurrent, type RecurrentSpec } from '../../../lib/core/processing';

/** A fake stateful model: out = frame sum + state; stateN = state + 1; counts its runs. */
function fakeModel() {
  const calls = { runs: 0, loops: 0 };
  const run: ModelRunner['run'] = async (feeds) => {
    calls.runs++;
    const frame = feeds.input!.data as Float32Array;
    const state = (feeds.state!.data as Float32Array)[0]!;
    return {
      output: new Tensor('float32', Float32Array.of(frame.reduce((a, b) => a + b, 0) + state), [1, 1]),
      stateN: new Tensor('float32', Float32Array.of(state + 1), [1]),
    };
  };
  const stepwise: ModelRunner = { inputs: [], outputs: [], run };
  // What serve's runner does on its inference thread: the same steps, only the kept outputs back.
  const whole: ModelRunner = {
    ...stepwise,
    async runLoop(loop: RecurrentLoop) {
      calls.loops++;
      const steps: Array<Record<string, Tensor>> = [];
      await runLoopSteps(run, loop, (outputs) => steps.push(Object.fromEntries(loop.keep.map((k) => [k, outputs[k]!]))));
      return steps;
    },
  };
  return { calls, stepwise, whole };
}

const spec: RecurrentSpec = {
  frameInput: 'input',
  state: { state: 'stateN' },
  initialState: () => ({ state: new Tensor('float32', Float32Array.of(0), [1]) }),
  keep: ['output'],
};
const frames = [Float32Array.of(1, 1), Float32Array.of(2, 2), Float32Array.of(3, 3)];

describe('runRecurrent with a runner that runs whole loops (onnxless serve)', () => {
  it('hands the whole clip over once and reads what the frame-by-frame loop reads', async () => {
    const model = fakeModel();
    const seen: string[][] = [];
    const read = (outputs: Record<string, Tensor>) => (seen.push(Object.keys(outputs)), (outputs.output!.data as Float32Array)[0]!);

    const whole = await runRecurrent(model.whole, frames, spec, read);
    expect(model.calls).toEqual({ runs: 3, loops: 1 });
    const stepwise = await runRecurrent(model.stepwise, frames, spec, (o) => (o.output!.data as Float32Array)[0]!);

    expect(whole).toEqual([2, 5, 8]);
    expect(whole).toEqual(stepwise);
    // Only the kept outputs leave the loop: the state stays on the inference thread.
    expect(seen).toEqual([['output'], ['output'], ['output']]);
  });

  it('runs frame by frame, even where the runner has runLoop, when the spec names no outputs to keep', async () => {
    const model = fakeModel();
    const { keep: _keep, ...withoutKeep } = spec;
    expect(await runRecurrent(model.whole, frames, withoutKeep, (o) => (o.stateN!.data as Float32Array)[0]!)).toEqual([1, 2, 3]);
    expect(model.calls).toEqual({ runs: 3, loops: 0 });
  });
});
