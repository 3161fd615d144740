import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { WeightsCache } from '../cache/WeightsCache';
import { errorResult, fromHttpApiEvent, isHttpApiEvent, toHttpApiResult } from '../http/apiGatewayV2';
import { Router } from '../http/routes';
import type { Pipeline } from '../pipeline/Pipeline';
import { parseInferObject } from '../protocol/inferBody';
import { ModelService } from '../service/ModelService';
import { ModelLoader, type LoadEvents } from '../sessions/ModelLoader';
import { modelSourceFor } from '../sources/modelUri';
import type { FunctionConfig } from './modelConfigFromEnv';

export interface HandlerOptions {
  pipeline?: Pipeline;
  events?: LoadEvents;
  s3Client?: S3Client;
}

export type LambdaHandler = (event: unknown) => Promise<unknown>;

/**
 * A Lambda entry point for one model. API Gateway HTTP API (payload v2) events get the OIP
 * and domain routes; any other event is taken as a direct `Invoke` whose payload is an OIP
 * infer request, answered with the OIP response object (errors are thrown, so SDK callers
 * see a FunctionError with the error's name and message).
 */
export function createLambdaHandler(config: FunctionConfig, options: HandlerOptions = {}): LambdaHandler {
  const loader = new ModelLoader(
    {
      name: config.name,
      source: modelSourceFor(config.uri, options.s3Client),
      sha256: config.sha256,
      session: config.session,
    },
    new WeightsCache({ dir: config.cacheDir }),
    options.events,
  );
  const service = new ModelService({
    name: config.name,
    version: config.version,
    loader,
    limits: config.limits,
    pipeline: options.pipeline,
  });
  const router = new Router([service], {
    onError: (err) => console.error(JSON.stringify({ level: 'ERROR', model: config.name, error: describe(err) })),
  });

  if (config.eager) {
    // Lambda's init phase runs with full CPU and is not billed up to 10 s: load there. A
    // failure is forgotten by the loader and retried on the first request.
    loader.load().catch((err: unknown) => console.error(JSON.stringify({ level: 'ERROR', model: config.name, eagerLoad: describe(err) })));
  }

  return async (event: unknown): Promise<unknown> => {
    if (isHttpApiEvent(event)) {
      let req;
      try {
        req = fromHttpApiEvent(event, config.limits.maxBodyBytes);
      } catch (err) {
        return errorResult(err);
      }
      const res = await router.handle(req);
      return toHttpApiResult(res) satisfies APIGatewayProxyStructuredResultV2;
    }
    const encoded = await service.infer(parseInferObject(event));
    return JSON.parse(encoded.json) as unknown;
  };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (cause: ${err.cause.name}: ${err.cause.message})` : '';
  return `${err.name}: ${err.message}${cause}`;
}
