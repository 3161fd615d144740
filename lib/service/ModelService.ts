import { BadRequestError, NotFoundError } from '../errors';
import type { Pipeline, PredictRequest } from '../pipeline/Pipeline';
import { decodeInputs } from '../protocol/decodeInputs';
import { encodeOutputs, type EncodedResponse } from '../protocol/encodeOutputs';
import type { InferRequest } from '../protocol/inferRequest';
import type { ProtocolLimits } from '../protocol/limits';
import { modelMetadata, type ModelMetadata } from '../protocol/modelMetadata';
import type { LoadedModel, ModelLoader } from '../sessions/ModelLoader';

export interface ModelServiceOptions {
  name: string;
  version?: string;
  loader: ModelLoader;
  limits: ProtocolLimits;
  /** The model's domain route (`POST /models/{name}/predict`), when it has one. */
  pipeline?: Pipeline;
}

/** One served model, independent of any transport: Lambda, the local emulator, or a server. */
export class ModelService {
  readonly name: string;
  readonly pipeline?: Pipeline;

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

  load(): Promise<LoadedModel> {
    return this.options.loader.load();
  }

  async metadata(): Promise<ModelMetadata> {
    const { runner } = await this.load();
    return modelMetadata(this.name, this.options.version, runner);
  }

  async infer(request: InferRequest, binary?: Buffer): Promise<EncodedResponse> {
    const { runner } = await this.load();
    const feeds = decodeInputs(request, runner.inputs, this.options.limits, binary);
    const selection = selectOutputs(request, runner.outputs.map((o) => o.name));
    let results;
    try {
      results = await runner.run(feeds, selection.map((s) => s.name));
    } catch (err) {
      // onnxruntime refuses inputs it cannot run (inconsistent dims, bad values): the caller's fault.
      throw new BadRequestError(`onnxruntime could not run model '${this.name}': ${(err as Error).message}`, { cause: err });
    }
    return encodeOutputs(
      { model_name: this.name, model_version: this.options.version, id: request.id },
      selection.map((s) => ({ name: s.name, tensor: results[s.name] as never, binary: s.binary })),
    );
  }

  async predict(request: PredictRequest): Promise<unknown> {
    if (!this.pipeline) throw new NotFoundError(`model '${this.name}' has no domain route; use /v2/models/${this.name}/infer`);
    const { runner } = await this.load();
    // Pipelines raise BadRequestError & co. for bad input; anything else is our bug: a 500.
    return this.pipeline.predict(request, runner);
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
