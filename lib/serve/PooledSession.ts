import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { TensorMap } from '../core/batching/BatchTensor';
import type { QueueTimeout } from '../core/batching/QueueTimeout';
import type { RecurrentLoop } from '../core/pipeline/Pipeline';
import { fromWire, mapTensors, toWire, type WireLoop, type WireTensor, type WireValueMetadata } from './workerProtocol';
import { keepHalfBitsAll } from '../core/onnx/halfBits';

/**
 * Where a pooled session's work goes: the model's DynamicBatcher on the HTTP thread, or from a
 * processing thread a PortBatcher to it. A loop is one unit of work, never batched.
 */
export interface RunQueue {
  /** `timeout`: the request's own bound on its wait; past it the run is refused (408), not run. */
  submit(feeds: TensorMap, fetches?: readonly string[], timeout?: QueueTimeout): Promise<TensorMap>;
  submitLoop(loop: WireLoop): Promise<Array<Record<string, WireTensor>>>;
}

/**
 * A stand-in for a session that lives in the inference threads: it has the real session's
 * metadata, and `run` goes through the model's batcher to whichever worker is free (from a
 * processing thread, through a PortBatcher to the batcher on the HTTP thread).
 * Wrapped in a PooledRunner (an OnnxRunner) it is what ModelService and the pipelines see, unchanged.
 */
export class PooledSession implements InferenceSession {
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];

  constructor(
    inputs: readonly WireValueMetadata[],
    outputs: readonly WireValueMetadata[],
    private readonly queue: RunQueue,
  ) {
    this.inputMetadata = inputs.map(toValueMetadata);
    this.outputMetadata = outputs.map(toValueMetadata);
  }

  get inputNames(): readonly string[] {
    return this.inputMetadata.map((m) => m.name);
  }

  get outputNames(): readonly string[] {
    return this.outputMetadata.map((m) => m.name);
  }

  run(feeds: InferenceSession.FeedsType, options?: InferenceSession.RunOptions): Promise<InferenceSession.ReturnType>;
  run(
    feeds: InferenceSession.FeedsType,
    fetches: InferenceSession.FetchesType,
    options?: InferenceSession.RunOptions,
  ): Promise<InferenceSession.ReturnType>;
  async run(feeds: InferenceSession.FeedsType, fetches?: unknown): Promise<InferenceSession.ReturnType> {
    const outputs = await this.queue.submit(
      mapTensors(keepHalfBitsAll(feeds) as Record<string, Tensor>, toWire),
      fetchNames(fetches, this.outputNames),
    );
    return keepHalfBitsAll(mapTensors(outputs, fromWire));
  }

  /** `run` under the request's own timeout: refused (408) in the model's queue once it has passed. */
  async runWithin(
    feeds: Record<string, Tensor>,
    outputNames: readonly string[] | undefined,
    timeout: QueueTimeout,
  ): Promise<Record<string, Tensor>> {
    const outputs = await this.queue.submit(
      mapTensors(keepHalfBitsAll(feeds), toWire),
      outputNames === undefined ? undefined : [...outputNames],
      timeout,
    );
    return keepHalfBitsAll(mapTensors(outputs, fromWire));
  }

  /** The whole loop as one task on one inference thread; each step's kept outputs back. */
  async runLoop(loop: RecurrentLoop): Promise<Array<Record<string, Tensor>>> {
    const wire = (tensors: Readonly<Record<string, Tensor>>) => mapTensors(keepHalfBitsAll({ ...tensors }), toWire);
    const steps = await this.queue.submitLoop({
      frameInput: loop.frameInput,
      frames: loop.frames.map(toWire),
      state: { ...loop.state },
      initialState: wire(loop.initialState),
      ...(loop.constants ? { constants: wire(loop.constants) } : {}),
      keep: [...loop.keep],
    });
    return steps.map((step) => keepHalfBitsAll(mapTensors(step, fromWire)));
  }

  async release(): Promise<void> {
    // The sessions belong to the worker threads; they go when the pool closes.
  }

  startProfiling(): void {}

  endProfiling(): void {}
}

/** session.run's second argument: output names, a `{name: null}` map, or run options. */
function fetchNames(fetches: unknown, outputs: readonly string[]): string[] | undefined {
  if (Array.isArray(fetches)) return fetches as string[];
  if (fetches !== null && typeof fetches === 'object') {
    const names = Object.keys(fetches).filter((k) => outputs.includes(k));
    return names.length > 0 ? names : undefined;
  }
  return undefined;
}

function toValueMetadata(meta: WireValueMetadata): InferenceSession.ValueMetadata {
  if (!meta.isTensor) return { name: meta.name, isTensor: false };
  return { name: meta.name, isTensor: true, type: meta.type as InferenceSession.TensorValueMetadata['type'], shape: meta.shape ?? [] };
}
