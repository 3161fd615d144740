import type { RequestTiming } from '../observability/RequestTiming';
import type { ModelRunner, Pipeline, PredictRequest } from '../pipeline/Pipeline';
import type { EncodedResponse } from '../protocol/encodeOutputs';
import type { InferRequest } from '../protocol/inferRequest';
import type { ProtocolLimits } from '../protocol/limits';
import type { ModelMetadata } from '../protocol/modelMetadata';
import type { LoadedModel } from '../onnx/Loader';
import type { Deadline } from './Deadline';
import type { RunTimes } from './RunTimes';

/** An infer request as it arrived: the body bytes and the headers that say how to read them. */
export interface InferBody {
  body: Buffer;
  /** Media type without parameters. */
  contentType: string;
  /** `Inference-Header-Content-Length`, when the body is binary-framed. */
  headerLength?: string;
}

/** What a call carries besides its input: where to record phase times, and when it must end. */
export interface CallContext {
  timing?: RequestTiming;
  deadline?: Deadline;
  /** When the request arrived (Date.now(): one clock for every thread), for its own `timeout` parameter. */
  receivedAt?: number;
  /**
   * How this call's model runs reach the session, when not directly: a batch invocation stacks
   * its items' runs into one (lib/core/batch/StackedRuns.ts).
   */
  runnerView?: (runner: ModelRunner) => ModelRunner;
}

/**
 * One name on the model routes, whatever answers for it: a model in this process (ModelService),
 * a pipeline of models (PipelineService), or a model whose work runs on serve's threads
 * (ServedModel). The routes, the Lambda entry and serve depend on this, never on a class.
 */
export interface Endpoint {
  readonly name: string;
  readonly version: string | undefined;
  readonly limits: ProtocolLimits;
  /** The domain route's pipeline, when the name has one of its own. */
  readonly pipeline?: Pipeline;
  /** Ready to answer: every model behind the name loaded. */
  load(ctx?: CallContext): Promise<unknown>;
  metadata(ctx?: CallContext): Promise<ModelMetadata>;
  inferBody(received: InferBody, ctx?: CallContext): Promise<EncodedResponse>;
  infer(request: InferRequest, binary?: Buffer, ctx?: CallContext): Promise<EncodedResponse>;
  predict(request: PredictRequest, ctx?: CallContext): Promise<unknown>;
}

/** What a pipeline needs of each member model: its warm session, and the deadline check over its run times. */
export interface PipelineMember {
  readonly name: string;
  readonly limits: ProtocolLimits;
  readonly runTimes: RunTimes;
  load(ctx?: CallContext): Promise<LoadedModel>;
  assertRunFits(deadline: Deadline | undefined): void;
}
