import type { Tensor } from 'onnxruntime-node';
import type { ModelRunner } from '../pipeline/Pipeline';

/** The model's input name as its metadata says (PaddleOCR exports call it `x`). */
export function inputName(runner: ModelRunner, fallback: string): string {
  return runner.inputs.length === 1 ? runner.inputs[0]!.name : fallback;
}

/** The model's first declared output (single-output models name theirs after an internal node). */
export function firstOutput(runner: ModelRunner, outputs: Record<string, Tensor>): Tensor {
  const name = runner.outputs[0]?.name;
  const tensor = (name === undefined ? undefined : outputs[name]) ?? Object.values(outputs)[0];
  if (tensor === undefined) throw new Error('the model returned no output');
  return tensor;
}
