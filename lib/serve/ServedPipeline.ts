import { OnnxlessError } from '../core/errors';
import type { CallContext } from '../core/inference/Endpoint';
import { PipelineService } from '../core/inference/PipelineService';
import type { MultiModelPipeline } from '../core/pipeline/MultiModelPipeline';
import type { PredictRequest } from '../core/pipeline/Pipeline';
import { RequestTiming } from '../core/observability/RequestTiming';
import type { RunQueue } from './PooledSession';
import type { ProcessingPool } from './processingPool/ProcessingPool';
import { fromWireError, type ModelView } from './processingPool/processingProtocol';
import { addPhases, type ServedModel } from './ServedModel';

export interface ServedPipelineOptions {
  name: string;
  /** lib/core/builtins' name of the pipeline of models, for the processing threads to look up. */
  pipelineName: string;
  pipeline: MultiModelPipeline;
  members: Readonly<Record<string, ServedModel>>;
  processing: ProcessingPool;
}

/**
 * A pipeline of models on `onnxless serve`: a PipelineService whose predict call runs on a
 * processing thread, like a model's, instead of the HTTP thread. The OCR pipeline's glue between
 * runs (image decoding, detection boxes, crops, decoding the text) took the HTTP thread's CPU
 * priority, ahead of every inference thread; now it takes its turn in the processing lanes, and
 * each member's runs still go to that member's batcher (by role, over the task's port), where
 * concurrent pages' crops batch together.
 */
export class ServedPipeline extends PipelineService {
  readonly #served: Readonly<Record<string, ServedModel>>;
  readonly #processing: ProcessingPool;
  readonly #pipelineName: string;

  constructor(options: ServedPipelineOptions) {
    super({ name: options.name, pipeline: options.pipeline, members: options.members });
    this.#served = options.members;
    this.#processing = options.processing;
    this.#pipelineName = options.pipelineName;
  }

  override async predict(request: PredictRequest, ctx: CallContext = {}): Promise<unknown> {
    const timing = ctx.timing ?? new RequestTiming();
    const started = performance.now();
    const views: Record<string, ModelView> = {};
    const queues: Record<string, RunQueue> = {};
    await Promise.all(
      this.graph.models.map(async (role) => {
        const member = this.#served[role]!;
        const loaded = await member.load({ ...ctx, timing: undefined });
        const queue = member.pooledLoader.runQueue;
        if (!queue) throw new OnnxlessError(503, `model '${member.name}' is not loaded`, { expose: true, headers: { 'retry-after': '1' } });
        views[role] = member.view(loaded);
        queues[role] = queue;
      }),
    );
    timing.add('load', performance.now() - started);
    const reply = await this.#processing.run(
      {
        kind: 'pipeline',
        name: this.name,
        pipeline: this.#pipelineName,
        members: views,
        body: request.body,
        contentType: request.contentType,
        query: { ...request.query },
        receivedAt: ctx.receivedAt,
      },
      queues,
    );
    addPhases(timing, reply.phases);
    if (!reply.ok) throw fromWireError(reply.error);
    if (reply.kind !== 'predict') throw new Error(`processing thread answered '${reply.kind}' to a pipeline task`);
    return reply.result;
  }
}
