import { BadRequestError, NotFoundError, OnnxlessError } from '../errors';
import { RequestTiming } from '../observability/RequestTiming';
import type { ModelRunner, Pipeline, PredictRequest } from '../pipeline/Pipeline';
import { decodeInputs } from '../protocol/decodeInputs';
import { encodeOutputs, type EncodedResponse } from '../protocol/encodeOutputs';
import type { InferRequest } from '../protocol/inferRequest';
import type { ProtocolLimits } from '../protocol/limits';
import { modelMetadata, type ModelMetadata } from '../protocol/modelMetadata';
import type { LoadedModel, ModelLoader } from '../sessions/ModelLoader';
import type { Deadline } from './Deadline';
import { InferenceDeadlineError, LoadDeadlineError } from './errors';
import { RunTimes } from './RunTimes';

export interface ModelServiceOptions {
  name: string;
  version?: string;
  loader: ModelLoader;
  limits: ProtocolLimits;
  /** The model's domain route (`POST /models/{name}/predict`), when it has one. */
  pipeline?: Pipeline;
  /** `Retry-After` of a 503 for a load the deadline cut short (default 1 s). */
  loadRetryAfterSeconds?: number;
}

/** What a call carries besides its input: where to record phase times, and when it must end. */
export interface CallContext {
  timing?: RequestTiming;
  deadline?: Deadline;
}

/** One served model, independent of any transport: Lambda, the local emulator, or a server. */
export class ModelService {
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

  get loader(): ModelLoader {
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
      if (!deadline?.isFinite) return await this.loader.load();
      const controller = new AbortController();
      timer = setTimeout(() => {
        const retryAfter = this.options.loadRetryAfterSeconds ?? 1;
        controller.abort(new LoadDeadlineError(this.name, performance.now() - started, retryAfter));
      }, Math.max(0, deadline.remainingMs()));
      return await this.loader.load({ signal: controller.signal });
    } finally {
      clearTimeout(timer);
      ctx.timing?.add('load', performance.now() - started);
    }
  }

  async metadata(ctx: CallContext = {}): Promise<ModelMetadata> {
    const { runner } = await this.load(ctx);
    return modelMetadata(this.name, this.options.version, runner);
  }

  async infer(request: InferRequest, binary?: Buffer, ctx: CallContext = {}): Promise<EncodedResponse> {
    const { runner } = await this.load(ctx);
    const timing = ctx.timing ?? new RequestTiming();
    const { feeds, selection } = timing.timeSync('preprocess', () => ({
      feeds: decodeInputs(request, runner.inputs, this.options.limits, binary),
      selection: selectOutputs(request, runner.outputs.map((o) => o.name)),
    }));
    this.assertRunFits(ctx.deadline);
    let results;
    const started = performance.now();
    try {
      results = await runner.run(feeds, selection.map((s) => s.name));
      this.runTimes.record(performance.now() - started);
    } catch (err) {
      // A runner that already decided the status (the container server's queue: 429, 503) keeps it.
      if (err instanceof OnnxlessError) throw err;
      // onnxruntime refuses inputs it cannot run (inconsistent dims, bad values): the caller's fault.
      throw new BadRequestError(`onnxruntime could not run model '${this.name}': ${(err as Error).message}`, { cause: err });
    } finally {
      timing.add('inference', performance.now() - started);
    }
    return timing.timeSync('postprocess', () =>
      encodeOutputs(
        { model_name: this.name, model_version: this.options.version, id: request.id },
        selection.map((s) => ({ name: s.name, tensor: results[s.name] as never, binary: s.binary })),
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
    if (!pipeline) throw new NotFoundError(`model '${this.name}' has no domain route; use /v2/models/${this.name}/infer`);
    const { runner } = await this.load(ctx);
    const timing = ctx.timing ?? new RequestTiming();
    let firstRun: number | undefined;
    let inference = 0;
    const timed: ModelRunner = {
      inputs: runner.inputs,
      outputs: runner.outputs,
      run: async (feeds, outputNames) => {
        this.assertRunFits(ctx.deadline);
        const started = performance.now();
        firstRun ??= started;
        try {
          const out = await runner.run(feeds, outputNames);
          this.runTimes.record(performance.now() - started);
          return out;
        } finally {
          inference += performance.now() - started;
        }
      },
    };
    const started = performance.now();
    try {
      // Pipelines raise BadRequestError & co. for bad input; anything else is our bug: a 500.
      return await pipeline.predict(request, timed);
    } finally {
      const total = performance.now() - started;
      const preprocess = (firstRun ?? started + total) - started;
      timing.add('preprocess', preprocess);
      if (firstRun !== undefined) {
        timing.add('inference', inference);
        timing.add('postprocess', Math.max(0, total - preprocess - inference));
      }
    }
  }

  /** 504 when recent runs say this one would very likely end after the deadline. */
  private assertRunFits(deadline: Deadline | undefined): void {
    if (!deadline?.isFinite) return;
    const estimate = this.runTimes.estimateMs();
    const remaining = deadline.remainingMs();
    if (remaining <= 0 || (estimate !== undefined && estimate > remaining)) {
      throw new InferenceDeadlineError(this.name, estimate ?? 0, remaining);
    }
  }
}

function selectOutputs(request: InferRequest, available: readonly string[]): Array<{ name: string; binary: boolean }> {
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
    return { name: o.name, binary: typeof flag === 'boolean' ? flag : allBinary };
  });
}
