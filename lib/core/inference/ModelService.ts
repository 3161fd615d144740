import type { Tensor } from 'onnxruntime-node';
import { BadRequestError } from '../errors';
import { RequestTiming } from '../observability/RequestTiming';
import type { ModelRunner, Pipeline, PredictRequest } from '../pipeline/Pipeline';
import { classify, readClassCount, type ClassLabels } from '../protocol/classification';
import { decodeInputs } from '../protocol/decodeInputs';
import { encodeOutputs, type EncodedResponse } from '../protocol/encodeOutputs';
import { readInferBody } from '../protocol/inferBody';
import type { InferRequest } from '../protocol/inferRequest';
import type { ProtocolLimits } from '../protocol/limits';
import { modelMetadata, type ModelMetadata } from '../protocol/modelMetadata';
import type { LoadedModel, Loader } from '../onnx/Loader';
import type { Deadline } from './Deadline';
import { InferenceDeadlineError, LoadDeadlineError, noDomainRoute } from './errors';
import { RunClock } from './RunClock';
import { RunTimes } from './RunTimes';
import { labelsOfDirectory } from './classLabels';
import { modelParameters } from './modelParameters';
import { runFailure } from './runFailure';
import { expiredWait, type QueueTimeout } from '../batching/QueueTimeout';
import { requestTimeoutMs } from '../protocol/requestParameters';
import { traced } from '../observability/tracing';
import type { CallContext, Endpoint, InferBody, PipelineMember } from './Endpoint';

export interface ModelServiceOptions {
  name: string;
  version?: string;
  loader: Loader;
  limits: ProtocolLimits;
  /** The model's domain route (`POST /models/{name}/predict`), when it has one. */
  pipeline?: Pipeline;
  /**
   * Labels for the classification extension, by output name. Default: the model directory's
   * `labels.txt` (classLabels.ts), when it has one.
   */
  classLabels?: ClassLabels;
  /** `Retry-After` of a 503 for a load the deadline cut short (default 1 s). */
  loadRetryAfterSeconds?: number;
}

/** One served model, independent of any transport: Lambda, the local emulator, or a server. */
export class ModelService implements Endpoint, PipelineMember {
  readonly name: string;
  /** The model version this service answers for (from ONNXLESS_MODEL_VERSION), if any. */
  get version(): string | undefined {
    return this.options.version;
  }
  readonly pipeline?: Pipeline;
  /** Recent `session.run` durations: what the inference deadline check estimates from. */
  readonly runTimes = new RunTimes();

  constructor(private readonly options: ModelServiceOptions) {
    this.name = options.name;
    this.pipeline = options.pipeline;
  }

  get loader(): Loader {
    return this.options.loader;
  }

  get limits(): ProtocolLimits {
    return this.options.limits;
  }

  /**
   * The loaded model, loading it first if needed. A load still running at the deadline answers
   * 503 with Retry-After. If no other request waits on it, the load is stopped and the cache
   * keeps the bytes downloaded so far (never as the model: a partial file is only ever resumed),
   * so the retry fetches only the rest. On Lambda this matters: the sandbox is frozen as soon
   * as the answer is out, and a download left running would find its connection dead on thaw.
   */
  async load(ctx: CallContext = {}): Promise<LoadedModel> {
    const ready = this.loader.current;
    if (ready) return ready;
    const started = performance.now();
    const deadline = ctx.deadline;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (!deadline?.isFinite) return await traced('load', (span) => this.loader.load({ span }));
      const controller = new AbortController();
      timer = setTimeout(
        () => {
          const retryAfter = this.options.loadRetryAfterSeconds ?? 1;
          controller.abort(new LoadDeadlineError(this.name, performance.now() - started, retryAfter));
        },
        Math.max(0, deadline.remainingMs()),
      );
      return await traced('load', (span) => this.loader.load({ signal: controller.signal, span }));
    } finally {
      clearTimeout(timer);
      ctx.timing?.add('load', performance.now() - started);
    }
  }

  async metadata(ctx: CallContext = {}): Promise<ModelMetadata> {
    const loaded = await this.load(ctx);
    // Optional facts: a file that cannot be read leaves them out, never fails the metadata route.
    const parameters = await modelParameters(loaded).catch(() => undefined);
    return { ...modelMetadata(this.name, this.options.version, loaded.runner), ...(parameters ? { parameters } : {}) };
  }

  /**
   * The infer route from the body as received. Parsing it is preprocessing too: for big JSON
   * tensors most of it (the container server overrides this to do it off its HTTP thread).
   */
  async inferBody(received: InferBody, ctx: CallContext = {}): Promise<EncodedResponse> {
    const timing = ctx.timing ?? new RequestTiming();
    const { request, binary } = timing.timeSync('preprocess', () =>
      readInferBody(received.body, received.contentType, received.headerLength),
    );
    return this.infer(request, binary, { ...ctx, timing });
  }

  async infer(request: InferRequest, binary?: Buffer, ctx: CallContext = {}): Promise<EncodedResponse> {
    const { runner: session } = await this.load(ctx);
    const runner = ctx.runnerView?.(session) ?? session;
    const timing = ctx.timing ?? new RequestTiming();
    const { feeds, selection } = timing.timeSync('preprocess', () => ({
      feeds: decodeInputs(request, runner.inputs, this.options.limits, binary),
      selection: selectOutputs(
        request,
        runner.outputs.map((o) => o.name),
      ),
    }));
    this.assertRunFits(ctx.deadline);
    const timeout = queueTimeout(this.name, request, ctx);
    const expired = expiredWait(timeout);
    if (expired) throw expired;
    const names = selection.map((s) => s.name);
    // serve's runner has runWithin (its runs queue); an in-process one has no queue to time out in.
    const pipelineView: ModelRunner = runner;
    let results;
    const started = performance.now();
    try {
      results = await traced('inference', () =>
        timeout && pipelineView.runWithin ? pipelineView.runWithin(feeds, names, timeout) : runner.run(feeds, names),
      );
      this.runTimes.record(performance.now() - started);
    } catch (err) {
      // Inputs onnxruntime refuses are the caller's fault (400); its own faults are a 500.
      throw runFailure(this.name, err);
    } finally {
      timing.add('inference', performance.now() - started);
    }
    const labels = selection.some((s) => s.classCount !== undefined)
      ? (this.options.classLabels ?? (await labelsOfDirectory(runner.files)))
      : undefined;
    return timing.timeSync('postprocess', () =>
      encodeOutputs(
        { model_name: this.name, model_version: this.options.version, id: request.id },
        selection.map((s) => ({ name: s.name, tensor: classified(s, results[s.name] as Tensor, labels), binary: s.binary })),
      ),
    );
  }

  /**
   * The domain route. The pipeline's own steps are timed through the runner it is handed:
   * time in `run` is inference, time before the first run preprocess, the rest postprocess
   * (for a recurrent model that includes the glue between frames). Each run is checked
   * against the deadline, so a long clip stops with a 504 instead of being cut off by Lambda.
   */
  async predict(request: PredictRequest, ctx: CallContext = {}): Promise<unknown> {
    const pipeline = this.pipeline;
    if (!pipeline) throw noDomainRoute(this.name);
    const { runner } = await this.load(ctx);
    const timing = ctx.timing ?? new RequestTiming();
    const clock = new RunClock();
    try {
      // Pipelines raise BadRequestError & co. for bad input; anything else is our bug: a 500.
      return await pipeline.predict(
        request,
        clock.wrap(ctx.runnerView?.(runner) ?? runner, this.runTimes, () => this.assertRunFits(ctx.deadline)),
      );
    } finally {
      clock.report(timing);
    }
  }

  /** 504 when recent runs say this one would very likely end after the deadline. */
  assertRunFits(deadline: Deadline | undefined): void {
    if (!deadline?.isFinite) return;
    const estimate = this.runTimes.estimateMs();
    const remaining = deadline.remainingMs();
    if (remaining <= 0 || (estimate !== undefined && estimate > remaining)) {
      throw new InferenceDeadlineError(this.name, estimate ?? 0, remaining);
    }
  }
}

/** The output as asked: raw, or Triton's classification of it when `class_count` is given. */
function classified(selection: OutputSelection, tensor: Tensor, labels: ClassLabels | undefined): Tensor {
  if (selection.classCount === undefined) return tensor;
  return classify(selection.name, tensor, selection.classCount, labels?.(selection.name));
}

interface OutputSelection {
  name: string;
  binary: boolean;
  /** Triton's classification extension: answer the top classes instead of the raw tensor. */
  classCount?: number;
}

function selectOutputs(request: InferRequest, available: readonly string[]): OutputSelection[] {
  const allBinary = request.parameters?.binary_data_output === true;
  if (!request.outputs || request.outputs.length === 0) {
    return available.map((name) => ({ name, binary: allBinary }));
  }
  const seen = new Set<string>();
  return request.outputs.map((o) => {
    if (!available.includes(o.name)) {
      throw new BadRequestError(`unknown output '${o.name}'; the model has: ${available.join(', ')}`);
    }
    if (seen.has(o.name)) throw new BadRequestError(`output '${o.name}' is requested twice`);
    seen.add(o.name);
    const flag = o.parameters?.binary_data;
    const classCount = readClassCount(o.name, o.parameters?.class_count);
    return { name: o.name, binary: typeof flag === 'boolean' ? flag : allBinary, ...(classCount === undefined ? {} : { classCount }) };
  });
}

/** The request's `timeout` parameter as a bound on its wait, counted from its arrival (else from now). */
function queueTimeout(model: string, request: InferRequest, ctx: CallContext): QueueTimeout | undefined {
  const timeoutMs = requestTimeoutMs(request);
  return timeoutMs === undefined ? undefined : { model, since: ctx.receivedAt ?? Date.now(), timeoutMs };
}
