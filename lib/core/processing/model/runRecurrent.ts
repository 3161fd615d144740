import { Tensor } from 'onnxruntime-node';
import type { ModelRunner } from '../../pipeline/Pipeline';

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
  let state = spec.initialState();
  for (const input of Object.keys(spec.state)) {
    if (!(input in state)) throw new Error(`initialState() gives no tensor for state input '${input}'`);
  }
  const results: T[] = [];
  let index = 0;
  for (const frame of frames) {
    const shape = spec.frameShape?.(frame) ?? [1, frame.length];
    const feeds: Record<string, Tensor> = {
      ...spec.constants,
      ...state,
      [spec.frameInput]: new Tensor('float32', frame, shape),
    };
    const outputs = await runner.run(feeds);
    const next: Record<string, Tensor> = {};
    for (const [input, output] of Object.entries(spec.state)) {
      const tensor = outputs[output];
      if (tensor === undefined) {
        throw new Error(`model returned no '${output}' to feed back as '${input}'; outputs: ${Object.keys(outputs).join(', ')}`);
      }
      next[input] = tensor;
    }
    results.push(read(outputs, index++));
    state = next;
  }
  return results;
}
