import { NotFoundError } from '../errors';
import { RequestTiming } from '../observability/RequestTiming';
import type { MultiModelPipeline } from '../pipeline/MultiModelPipeline';
import type { ModelRunner, PredictRequest } from '../pipeline/Pipeline';
import type { ModelMetadata } from '../protocol/modelMetadata';
import type { EncodedResponse } from '../protocol/encodeOutputs';
import type { ProtocolLimits } from '../protocol/limits';
import type { CallContext, Endpoint, PipelineMember } from './Endpoint';
import { RunClock } from './RunClock';

export interface PipelineServiceOptions {
  /** The pipeline's name: its route is `POST /models/{name}/predict`. */
  name: string;
  pipeline: MultiModelPipeline;
  /** Each member model's own service, by the pipeline's role for it. They keep their OIP routes. */
  members: Readonly<Record<string, PipelineMember>>;
}

/**
 * A pipeline of several models behind one domain route. It owns no session: it loads every member
 * at once through the members' own loaders (single-flight, shared with their OIP routes), so a
 * cold start costs the slowest member rather than the sum, and hands the pipeline each member's
 * warm session by role, each run checked against the deadline and timed.
 */
export class PipelineService implements Endpoint {
  readonly name: string;
  /** A pipeline is versioned by its members: each answers OIP under its own name and version. */
  readonly version = undefined;
  readonly limits: ProtocolLimits;
  readonly members: Readonly<Record<string, PipelineMember>>;
  readonly graph: MultiModelPipeline;

  constructor(options: PipelineServiceOptions) {
    const missing = options.pipeline.models.filter((role) => !Object.hasOwn(options.members, role));
    if (missing.length > 0)
      throw new Error(
        `pipeline '${options.name}' needs models for ${missing.join(', ')}; given: ${Object.keys(options.members).join(', ') || 'none'}`,
      );
    this.name = options.name;
    // The domain route's body is the first member's kind of input (the page, for OCR).
    this.limits = options.members[options.pipeline.models[0]!]!.limits;
    this.members = options.members;
    this.graph = options.pipeline;
  }

  /** Every member, loaded concurrently. */
  async load(ctx: CallContext = {}): Promise<void> {
    await Promise.all(this.graph.models.map((role) => this.members[role]!.load(ctx)));
  }

  metadata(): Promise<ModelMetadata> {
    return Promise.reject(this.noTensors());
  }

  inferBody(): Promise<EncodedResponse> {
    return Promise.reject(this.noTensors());
  }

  infer(): Promise<EncodedResponse> {
    return Promise.reject(this.noTensors());
  }

  async predict(request: PredictRequest, ctx: CallContext = {}): Promise<unknown> {
    const timing = ctx.timing ?? new RequestTiming();
    const started = performance.now();
    const loaded = await Promise.all(this.graph.models.map((role) => this.members[role]!.load({ ...ctx, timing: undefined })));
    timing.add('load', performance.now() - started);
    const clock = new RunClock();
    const runners: Record<string, ModelRunner> = {};
    this.graph.models.forEach((role, i) => {
      const member = this.members[role]!;
      runners[role] = clock.wrap(loaded[i]!.runner, member.runTimes, () => member.assertRunFits(ctx.deadline));
    });
    try {
      return await this.graph.predict(request, runners);
    } finally {
      clock.report(timing);
    }
  }

  /** A pipeline has no tensors of its own: its members answer OIP, each under its own name. */
  private noTensors(): NotFoundError {
    const names = this.graph.models.map((role) => this.members[role]!.name);
    return new NotFoundError(
      `'${this.name}' is a pipeline of models ${names.join(', ')}: it answers POST /models/${this.name}/predict; each model answers OIP under its own name`,
    );
  }
}
