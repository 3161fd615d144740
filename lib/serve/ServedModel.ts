import { OnnxlessError } from '../core/errors';
import type { RequestTiming } from '../core/observability/RequestTiming';
import type { Phase } from '../core/observability/records';
import type { Pipeline, PredictRequest } from '../core/pipeline/Pipeline';
import type { EncodedResponse } from '../core/protocol/encodeOutputs';
import type { InferRequest } from '../core/protocol/inferRequest';
import type { ProtocolLimits } from '../core/protocol/limits';
import type { ModelMetadata } from '../core/protocol/modelMetadata';
import type { LoadedModel } from '../core/onnx/Loader';
import type { Deadline } from '../core/inference/Deadline';
import type { CallContext, Endpoint, InferBody, PipelineMember } from '../core/inference/Endpoint';
import { ModelService, type ModelServiceOptions } from '../core/inference/ModelService';
import type { RunTimes } from '../core/inference/RunTimes';
import type { PooledModelLoader } from './PooledModelLoader';
import type { ProcessingPool } from './processingPool/ProcessingPool';
import { HttpThreadParsing } from './processingPool/HttpThreadParsing';
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
 * A model served by `onnxless serve`, whose requests run off the HTTP thread: the model is
 * loaded here (the weights fetched once, sessions created in the inference threads), then each
 * infer or predict call goes whole to a processing thread (a small infer body is parsed here),
 * where the same ModelService code the Lambda handler runs parses, preprocesses and encodes it,
 * and its session runs come back to this model's batcher. A run can fail because the queue is full (429) or a worker could not
 * create its session (503): those keep their own status. Loading, metadata and the runs a
 * pipeline makes through this model are the in-process ModelService's, over the pooled loader.
 */
export class ServedModel implements Endpoint, PipelineMember {
  readonly #local: ModelService;
  readonly #processing: ProcessingPool;
  readonly #pipelineName?: string;
  readonly pooledLoader: PooledModelLoader;
  /** Where this model's infer calls are parsed: counted per thread. */
  readonly parsing = new HttpThreadParsing();

  constructor(options: ServedModelOptions) {
    this.#local = new ModelService(options);
    this.pooledLoader = options.loader;
    this.#processing = options.processing;
    this.#pipelineName = options.pipelineName;
  }

  get name(): string {
    return this.#local.name;
  }

  get version(): string | undefined {
    return this.#local.version;
  }

  get limits(): ProtocolLimits {
    return this.#local.limits;
  }

  get pipeline(): Pipeline | undefined {
    return this.#local.pipeline;
  }

  get runTimes(): RunTimes {
    return this.#local.runTimes;
  }

  load(ctx?: CallContext): Promise<LoadedModel> {
    return this.#local.load(ctx);
  }

  metadata(ctx?: CallContext): Promise<ModelMetadata> {
    return this.#local.metadata(ctx);
  }

  assertRunFits(deadline: Deadline | undefined): void {
    this.#local.assertRunFits(deadline);
  }

  /** Already-parsed requests (none come from the Router here) run on this thread. */
  infer(request: InferRequest, binary?: Buffer, ctx?: CallContext): Promise<EncodedResponse> {
    return this.#local.infer(request, binary, ctx);
  }

  /**
   * A small body is parsed and its answer encoded here, on the HTTP thread, where that costs less
   * than a processing thread's round trip (HttpThreadParsing); any other goes to a processing thread.
   */
  async inferBody(received: InferBody, ctx: CallContext = {}): Promise<EncodedResponse> {
    const encoded =
      this.parsing.choose(received.body.byteLength) === 'http'
        ? await this.#local.inferBody(received, ctx)
        : await this.#inferElsewhere(received, ctx);
    this.parsing.answered(encodedBytes(encoded));
    return encoded;
  }

  async #inferElsewhere(received: InferBody, ctx: CallContext): Promise<EncodedResponse> {
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

  async predict(request: PredictRequest, ctx: CallContext = {}): Promise<unknown> {
    if (!this.pipeline) return this.#local.predict(request, ctx);
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

  async #process(ctx: CallContext, task: (model: ModelView) => Parameters<ProcessingPool['run']>[0]): Promise<ProcessingReply> {
    const loaded = await this.load(ctx);
    const queue = this.pooledLoader.runQueue;
    if (!queue) throw new OnnxlessError(503, `model '${this.name}' is not loaded`, { expose: true, headers: { 'retry-after': '1' } });
    const reply = await this.#processing.run({ ...task(this.#view(loaded)), receivedAt: ctx.receivedAt }, queue);
    addPhases(ctx.timing, reply.phases);
    if (!reply.ok) throw fromWireError(reply.error);
    return reply;
  }

  /** What a processing thread must know of this model, loaded: a pipeline task carries one per member. */
  view(loaded: LoadedModel): ModelView {
    return this.#view(loaded);
  }

  #view({ runner, weights }: LoadedModel): ModelView {
    return {
      name: this.name,
      version: this.version,
      limits: this.limits,
      inputs: runner.inputs.map(wireMetadata),
      outputs: runner.outputs.map(wireMetadata),
      pipeline: this.#pipelineName,
      filesDir: runner.files?.dir,
      graphPath: weights.path,
    };
  }
}

function wireMetadata(spec: LoadedModel['runner']['inputs'][number]): WireValueMetadata {
  return spec.type === 'unknown'
    ? { name: spec.name, isTensor: false }
    : { name: spec.name, isTensor: true, type: spec.type, shape: [...spec.shape] };
}

/** A processing thread's phase times, added to the request's. */
export function addPhases(timing: RequestTiming | undefined, phases: ProcessingReply['phases']): void {
  if (!timing) return;
  for (const [phase, ms] of Object.entries(phases)) if (typeof ms === 'number') timing.add(phase as Phase, ms);
}

/** An answer's size on the wire: its JSON text (one byte a character: numbers and names) and binary outputs. */
function encodedBytes({ json, binary }: EncodedResponse): number {
  return json.length + (binary?.reduce((sum, b) => sum + b.byteLength, 0) ?? 0);
}

function unexpected(reply: ProcessingReply): Error {
  return new Error(`processing thread answered '${reply.ok ? reply.kind : 'error'}' to the wrong kind of task`);
}
