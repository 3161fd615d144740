import type { CallContext, Endpoint, InferBody } from '../inference/Endpoint';
import type { Pipeline, PredictRequest } from '../pipeline/Pipeline';
import type { EncodedResponse } from '../protocol/encodeOutputs';
import type { InferRequest } from '../protocol/inferRequest';
import type { ProtocolLimits } from '../protocol/limits';
import type { ModelMetadata } from '../protocol/modelMetadata';
import type { IndexedModel } from './RepositoryIndex';

/** What an endpoint needs of its repository: a call run with the model's service, the model kept loaded meanwhile. */
export interface ServiceLease {
  readonly limits: ProtocolLimits;
  readonly pipeline?: Pipeline;
  use<T>(name: string, indexed: IndexedModel, work: (service: Endpoint) => Promise<T>): Promise<T>;
}

/** The version a model directory `<model>/<version>/` names, when its folder is a number (as push writes it). */
export function versionOfDirectory(directory: string): string | undefined {
  return /(?:^|\/)(\d+)\/$/.exec(directory)?.[1];
}

/**
 * One model of a repository on the model routes: each call runs through the repository
 * (ModelRepository.use), which counts it as a user of the model's session for as long as it
 * runs, so an eviction never releases a session a request is in.
 */
export class RepositoryEndpoint implements Endpoint {
  readonly version: string | undefined;

  constructor(
    private readonly repository: ServiceLease,
    readonly name: string,
    readonly indexed: IndexedModel,
  ) {
    this.version = versionOfDirectory(indexed.directory);
  }

  get limits(): ProtocolLimits {
    return this.repository.limits;
  }

  get pipeline(): Pipeline | undefined {
    return this.repository.pipeline;
  }

  load(ctx?: CallContext): Promise<unknown> {
    return this.run((s) => s.load(ctx));
  }

  metadata(ctx?: CallContext): Promise<ModelMetadata> {
    return this.run((s) => s.metadata(ctx));
  }

  inferBody(received: InferBody, ctx?: CallContext): Promise<EncodedResponse> {
    return this.run((s) => s.inferBody(received, ctx));
  }

  infer(request: InferRequest, binary?: Buffer, ctx?: CallContext): Promise<EncodedResponse> {
    return this.run((s) => s.infer(request, binary, ctx));
  }

  predict(request: PredictRequest, ctx?: CallContext): Promise<unknown> {
    return this.run((s) => s.predict(request, ctx));
  }

  private run<T>(work: (service: Endpoint) => Promise<T>): Promise<T> {
    return this.repository.use(this.name, this.indexed, work);
  }
}
