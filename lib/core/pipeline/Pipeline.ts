import type { Tensor } from 'onnxruntime-node';
import type { CompanionFiles } from './CompanionFiles';

/** What a model's own pre/post-processing sees of a `POST /models/{name}/predict` request. */
export interface PredictRequest {
  /** Media type without parameters, lower-cased (`image/png`, `application/json`, ...). */
  contentType: string;
  /** Raw body bytes (already base64-decoded when API Gateway delivered it encoded). */
  body: Buffer;
  /** Query string parameters (e.g. `?probabilities=true`). */
  query: Readonly<Record<string, string | undefined>>;
}

/** Name, element type and shape (-1 or a symbolic name for free dimensions) of one model tensor. */
export interface TensorSpec {
  name: string;
  /** onnxruntime type name: 'float32', 'int64', 'string', ... */
  type: string;
  shape: ReadonlyArray<number | string>;
}

/**
 * A request's own bound on its wait (Triton's `timeout` parameter): from when it arrived
 * (`since`, epoch ms: Date.now(), the same clock on every thread) to when its run starts. Plain
 * data, so it crosses from a processing thread to the model's queue with the run.
 */
export interface QueueTimeout {
  model: string;
  since: number;
  timeoutMs: number;
}

/** The loaded model as a pipeline sees it: one warm session behind a small interface. */
export interface ModelRunner {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  run(feeds: Record<string, Tensor>, outputNames?: readonly string[]): Promise<Record<string, Tensor>>;
  /**
   * Optional: runs a recurrent model's whole loop as one unit of work and answers each step's
   * `keep` outputs, in order. `onnxless serve` has it (the loop is one task on one inference
   * thread instead of a queue trip per frame); where it is absent, `runRecurrent` calls `run`
   * once per step. Both give the same outputs.
   */
  runLoop?(loop: RecurrentLoop): Promise<Array<Record<string, Tensor>>>;
  /**
   * Optional: `run`, refused (408, unrun) if the request's own timeout passes while it waits in
   * the model's queue. `onnxless serve` has it (its runs queue); where it is absent there is no
   * queue, and the caller checks the timeout before `run`.
   */
  runWithin?(
    feeds: Record<string, Tensor>,
    outputNames: readonly string[] | undefined,
    timeout: QueueTimeout,
  ): Promise<Record<string, Tensor>>;
  /** The model's companion files (dictionary, labels, tokenizer.json), from its directory. */
  readonly files?: CompanionFiles;
}

/**
 * A stateful model's loop over a clip, as data: step i feeds `frames[i]` to `frameInput`, the
 * previous step's `state` outputs to their inputs (`initialState` on the first step) and
 * `constants` unchanged.
 */
export interface RecurrentLoop {
  frameInput: string;
  frames: readonly Tensor[];
  /** State input name -> the output that becomes that input on the next step. */
  state: Readonly<Record<string, string>>;
  initialState: Readonly<Record<string, Tensor>>;
  constants?: Readonly<Record<string, Tensor>>;
  /** Outputs kept from every step (the state is fed back, not kept). */
  keep: readonly string[];
}

/**
 * A domain route: raw media or JSON in, the model's own terms out. Pre- and post-processing
 * are composed from lib/core/processing steps inside `predict`; stateful models may call
 * `runner.run` many times for one request.
 */
export interface Pipeline<Result = unknown> {
  /** Media types the route accepts; anything else is a 415 listing these. */
  readonly accepts: readonly string[];
  /** Short human description for the OpenAPI document. */
  readonly description: string;
  /** JSON schema of the result, for the OpenAPI document. */
  readonly resultSchema?: Record<string, unknown>;
  /** JSON schema of an application/json body, for the OpenAPI document and the playground's form. */
  readonly requestSchema?: Record<string, unknown>;
  predict(request: PredictRequest, runner: ModelRunner): Promise<Result>;
}
