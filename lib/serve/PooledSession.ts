import { Tensor, type InferenceSession } from 'onnxruntime-node';
import type { TensorMap } from '../core/batching/BatchTensor';
import type { DynamicBatcher } from '../core/batching/DynamicBatcher';
import type { WireValueMetadata } from './workerProtocol';
import { keepHalfBitsAll } from '../core/onnx/halfBits';

/**
 * A stand-in for a session that lives in the inference threads: it has the real session's
 * metadata, and `run` goes through the model's batcher to whichever worker is free (from a
 * processing thread, through a PortBatcher to the batcher on the HTTP thread).
 * Wrapped in an OnnxRunner it is what ModelService and the pipelines see, unchanged.
 */
export class PooledSession implements InferenceSession {
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  readonly outputMetadata: readonly InferenceSession.ValueMetadata[];

  constructor(
    inputs: readonly WireValueMetadata[],
    outputs: readonly WireValueMetadata[],
    private readonly batcher: Pick<DynamicBatcher, 'submit'>,
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
    const outputs = await this.batcher.submit(toTensorMap(keepHalfBitsAll(feeds)), fetchNames(fetches, this.outputNames));
    return keepHalfBitsAll(
      Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, new Tensor(t.type as never, t.data as never, t.dims)])),
    );
  }

  async release(): Promise<void> {
    // The sessions belong to the worker threads; they go when the pool closes.
  }

  startProfiling(): void {}

  endProfiling(): void {}
}

/** Plain `{type, dims, data}` per input: what the batcher concatenates and a worker can receive. */
function toTensorMap(feeds: InferenceSession.FeedsType): TensorMap {
  const map: TensorMap = {};
  for (const [name, value] of Object.entries(feeds)) {
    const tensor = value as Tensor;
    map[name] = { type: tensor.type, dims: [...tensor.dims], data: tensor.data as TensorMap[string]['data'] };
  }
  return map;
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
