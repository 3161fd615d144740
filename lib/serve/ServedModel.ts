import { BadRequestError, OnnxlessError } from '../core/errors';
import type { RequestTiming } from '../core/observability/RequestTiming';
import type { Phase } from '../core/observability/records';
import type { ModelRunner, PredictRequest } from '../core/pipeline/Pipeline';
import type { EncodedResponse } from '../core/protocol/encodeOutputs';
import { ModelService, type CallContext, type InferBody, type ModelServiceOptions } from '../core/inference/ModelService';
import type { PooledModelLoader } from './PooledModelLoader';
import type { ProcessingPool } from './processingPool/ProcessingPool';
import { fromWireError, type ModelView, type ProcessingReply } from './processingPool/processingProtocol';
import type { WireValueMetadata } from './workerProtocol';

export interface ServedModelOptions extends ModelServiceOptions {
  loader: PooledModelLoader;
  /** Where infer and predict calls are parsed, preprocessed and encoded, off the HTTP thread. */
  processing: ProcessingPool;
  /** lib/core/builtins' name of `pipeline`, for the processing threads to look up. */
  pipelineName?: string;
}

/**
 * A ModelService whose requests run off the HTTP thread: the model is loaded here (the weights
 * fetched once, sessions created in the inference threads), then each infer or predict call
 * goes whole to a processing thread, and its session runs come back to this model's batcher.
 * A run can fail because the queue is full (429) or a worker could not create its session
 * (503): those keep their own status.
 */
export class ServedModel extends ModelService {
  readonly #processing: ProcessingPool;
  readonly #pipelineName?: string;

  constructor(options: ServedModelOptions) {
    super(options);
    this.#processing = options.processing;
    this.#pipelineName = options.pipelineName;
  }

  get pooledLoader(): PooledModelLoader {
    return this.loader as PooledModelLoader;
  }

  override async inferBody(received: InferBody, ctx: CallContext = {}): Promise<EncodedResponse> {
    const reply = await this.#process(ctx, (model) => ({
      kind: 'infer',
      model,
      body: received.body,
      contentType: received.contentType,
      headerLength: received.headerLength,
    }));
    if (reply.ok && reply.kind === 'infer')
      return { json: reply.json, binary: reply.binary?.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)) };
    throw unexpected(reply);
  }

  override async predict(request: PredictRequest, ctx: CallContext = {}): Promise<unknown> {
    if (!this.pipeline) return super.predict(request, ctx);
    const reply = await this.#process(ctx, (model) => ({
      kind: 'predict',
      model,
      body: request.body,
      contentType: request.contentType,
      query: { ...request.query },
    }));
    if (reply.ok && reply.kind === 'predict') return reply.result;
    throw unexpected(reply);
  }

  /** Already-parsed requests (none come from the Router here) still run, with the statuses kept. */
  override async infer(...args: Parameters<ModelService['infer']>): ReturnType<ModelService['infer']> {
    try {
      return await super.infer(...args);
    } catch (err) {
      if (err instanceof BadRequestError && err.cause instanceof OnnxlessError) throw err.cause;
      throw err;
    }
  }

  async #process(ctx: CallContext, task: (model: ModelView) => Parameters<ProcessingPool['run']>[0]): Promise<ProcessingReply> {
    const { runner } = await this.load(ctx);
    const batcher = this.pooledLoader.queue;
    if (!batcher) throw new OnnxlessError(503, `model '${this.name}' is not loaded`, { expose: true, headers: { 'retry-after': '1' } });
    const reply = await this.#processing.run(task(this.#view(runner)), (feeds, fetches) => batcher.submit(feeds, fetches));
    addPhases(ctx.timing, reply.phases);
    if (!reply.ok) throw fromWireError(reply.error);
    return reply;
  }

  #view(runner: ModelRunner): ModelView {
    return {
      name: this.name,
      version: this.version,
      limits: this.limits,
      inputs: runner.inputs.map(wireMetadata),
      outputs: runner.outputs.map(wireMetadata),
      pipeline: this.#pipelineName,
      filesDir: runner.files?.dir,
    };
  }
}

function wireMetadata(spec: ModelRunner['inputs'][number]): WireValueMetadata {
  return spec.type === 'unknown'
    ? { name: spec.name, isTensor: false }
    : { name: spec.name, isTensor: true, type: spec.type, shape: [...spec.shape] };
}

function addPhases(timing: RequestTiming | undefined, phases: ProcessingReply['phases']): void {
  if (!timing) return;
  for (const [phase, ms] of Object.entries(phases)) if (typeof ms === 'number') timing.add(phase as Phase, ms);
}

function unexpected(reply: ProcessingReply): Error {
  return new Error(`processing thread answered '${reply.ok ? reply.kind : 'error'}' to the wrong kind of task`);
}
