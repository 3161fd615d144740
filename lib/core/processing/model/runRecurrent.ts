import { Tensor } from 'onnxruntime-node';
import type { ModelRunner, RecurrentLoop } from '../../pipeline/Pipeline';

/** How a recurrent (stateful) model is wired: which input takes the frame, which outputs feed back. */
export interface RecurrentSpec {
  /** Input that receives each frame. */
  frameInput: string;
  /** Shape of one frame's tensor (default [1, frame.length]). */
  frameShape?: (frame: Float32Array) => readonly number[];
  /** State input name -> output name that becomes that input on the next frame. */
  state: Readonly<Record<string, string>>;
  /** Fresh state for the first frame; called once per clip so clips never share state. */
  initialState: () => Record<string, Tensor>;
  /** Inputs that stay the same for every frame (e.g. Silero's `sr`). */
  constants?: Readonly<Record<string, Tensor>>;
  /**
   * The outputs `read` looks at. With it, a runner that can run the whole loop at once
   * (`ModelRunner.runLoop`: `onnxless serve`, one task on one inference thread) does, and `read`
   * sees only these outputs; without it every frame is one `run`, as everywhere.
   */
  keep?: readonly string[];
}

/**
 * Runs a stateful model over a whole clip in one request: frame after frame, each run's state
 * outputs fed back as the next run's state inputs. `read` picks what to keep from each run's
 * outputs (a probability, a vector), so the outputs of thousands of frames are not all kept.
 */
export async function runRecurrent<T>(
  runner: ModelRunner,
  frames: Iterable<Float32Array>,
  spec: RecurrentSpec,
  read: (outputs: Record<string, Tensor>, index: number) => T,
): Promise<T[]> {
  const initialState = spec.initialState();
  for (const input of Object.keys(spec.state)) {
    if (!(input in initialState)) throw new Error(`initialState() gives no tensor for state input '${input}'`);
  }
  const loop = {
    frameInput: spec.frameInput,
    state: spec.state,
    initialState,
    constants: spec.constants,
    frames: Array.from(frames, (frame) => new Tensor('float32', frame, spec.frameShape?.(frame) ?? [1, frame.length])),
  };
  if (spec.keep && runner.runLoop) return (await runner.runLoop({ ...loop, keep: spec.keep })).map(read);
  const results: T[] = [];
  await runLoopSteps(
    (feeds) => runner.run(feeds),
    loop,
    (outputs, index) => results.push(read(outputs, index)),
  );
  return results;
}

/**
 * The loop itself, over any `run`: the same steps in the caller's process (a Lambda function's
 * session) and on a server's inference thread (`runLoop`), so both give the same outputs.
 * `onStep` sees each step's outputs, state outputs included.
 */
export async function runLoopSteps(
  run: (feeds: Record<string, Tensor>) => Promise<Record<string, Tensor>>,
  loop: Omit<RecurrentLoop, 'keep'>,
  onStep: (outputs: Record<string, Tensor>, index: number) => void,
): Promise<void> {
  let state: Readonly<Record<string, Tensor>> = loop.initialState;
  let index = 0;
  for (const frame of loop.frames) {
    const outputs = await run({ ...loop.constants, ...state, [loop.frameInput]: frame });
    const next: Record<string, Tensor> = {};
    for (const [input, output] of Object.entries(loop.state)) {
      const tensor = outputs[output];
      if (tensor === undefined) {
        throw new Error(`model returned no '${output}' to feed back as '${input}'; outputs: ${Object.keys(outputs).join(', ')}`);
      }
      next[input] = tensor;
    }
    onStep(outputs, index++);
    state = next;
  }
}
