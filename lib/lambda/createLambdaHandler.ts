import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { WeightsCache } from '../core/cache/WeightsCache';
import { publicErrorOf, toPublicError } from '../core/errors';
import { fromHttpApiEvent, isHttpApiEvent, toHttpApiResult } from '../core/http/apiGatewayV2';
import { Router } from '../core/http/routes';
import { sinkFromEnv } from '../core/observability/sinkFromEnv';
import { startTracing } from '../core/observability/tracing';
import { ROUTES, type ObservabilitySink } from '../core/observability/records';
import type { Pipeline } from '../core/pipeline/Pipeline';
import { parseInferObject } from '../core/protocol/inferBody';
import { deadlineFromLambdaContext, HTTP_API_TIMEOUT_MS } from '../core/inference/Deadline';
import { ModelService } from '../core/inference/ModelService';
import type { Endpoint } from '../core/inference/Endpoint';
import { ModelLoader, type LoadEvents } from '../core/onnx/ModelLoader';
import { modelSourceFor } from '../core/sources/modelUri';
import type { S3Transport } from '../core/sources/S3ModelSource';
import type { FunctionConfig, FunctionSettings } from './modelConfigFromEnv';
import type { AsyncJobs } from '../core/jobs/AsyncJobs';
import { jobEntry, lambdaJobsFromEnv } from './lambdaJobs';
import { batchEntry } from './batchEntry';
import { isBatchEvent } from '../core/batch/BatchEvent';

export interface HandlerOptions {
  pipeline?: Pipeline;
  events?: LoadEvents;
  /** How the weights are read from S3 (an SDK client or a reader); default: the environment's (defaultS3Reader.ts). */
  s3Client?: S3Transport;
  /** Where request and load records go. Default: Powertools JSON logs and EMF metrics on stdout. */
  sink?: ObservabilitySink;
}

/** The part of Lambda's context the handler uses; optional, so tests and local runs can call it bare. */
export interface InvocationContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
}

export type LambdaHandler = (event: unknown, context?: InvocationContext) => Promise<unknown>;

/**
 * A Lambda entry point for one model. API Gateway HTTP API (payload v2) events get the OIP
 * and domain routes; a Distributed Map batch event (`{Items, BatchInput}`) runs its items through
 * them (batchEntry.ts); any other event is taken as a direct `Invoke` whose payload is an OIP
 * infer request, answered with the OIP response object (errors are thrown, so SDK callers
 * see a FunctionError with the error's name and its public message, as an HTTP caller reads it).
 *
 * Each invocation runs against a deadline: Lambda's remaining time (capped at API Gateway's
 * 30 s for HTTP events) less `config.safetyMarginMs`. A cold load that would not finish in time
 * answers 503 with Retry-After, its download stopped and the bytes kept for the next invocation
 * to resume from; a run that recent run times say would overrun answers 504.
 */
export function createLambdaHandler(config: FunctionConfig, options: HandlerOptions = {}): LambdaHandler {
  const sink = options.sink ?? sinkFromEnv(config.observability ?? {});
  const loader = createModelLoader(config, config, options, sink);
  const service = new ModelService({
    name: config.name,
    version: config.version,
    loader,
    limits: config.limits,
    pipeline: options.pipeline,
  });
  const jobs = lambdaJobsFromEnv();
  const router = new Router([service], { sink, jobs });

  // Inside Lambda (tracing on): X-Ray spans are set up here, in the init phase.
  startTracing();
  if (config.eager) {
    // Lambda's init phase runs with full CPU and is not billed up to 10 s: load there. A
    // failure is reported by the loader and retried on the first request.
    loader.load().catch(() => {});
  }
  return lambdaEntry(router, service, config, jobs);
}

/** One model's loader with the function's cache and the sink's load records. */
export function createModelLoader(
  model: { name: string; uri: string; sha256?: string },
  settings: FunctionSettings,
  options: Omit<HandlerOptions, 'pipeline'>,
  sink: ObservabilitySink,
): ModelLoader {
  return new ModelLoader(
    {
      name: model.name,
      source: modelSourceFor(model.uri, options.s3Client),
      sha256: model.sha256,
      session: settings.session,
    },
    new WeightsCache({ dir: settings.cacheDir, ...settings.download }),
    {
      ...options.events,
      onLoad: (record) => {
        options.events?.onLoad?.(record);
        sink.onLoad(record);
      },
    },
  );
}

/**
 * The Lambda entry over a router: HTTP API events are routed; any other event is a direct
 * `Invoke` of `invokeTarget`'s infer route.
 */
export function lambdaEntry(
  router: Router,
  invokeTarget: Endpoint,
  config: Pick<FunctionSettings, 'safetyMarginMs' | 'limits'>,
  jobs?: AsyncJobs,
): LambdaHandler {
  let invocations = 0;
  const batch = batchEntry(router, invokeTarget, config);
  return async (event: unknown, context?: InvocationContext): Promise<unknown> => {
    // A Step Functions Distributed Map batch (docs/batch.md): its items through the same routes.
    if (isBatchEvent(event)) return batch(event, context);
    const http = isHttpApiEvent(event);
    const requestContext = {
      requestId: context?.awsRequestId ?? (http ? event.requestContext.requestId : undefined),
      coldStart: invocations++ === 0,
      deadline: deadlineFromLambdaContext(context, {
        safetyMarginMs: config.safetyMarginMs,
        capMs: context && http ? HTTP_API_TIMEOUT_MS : undefined,
      }),
    };
    if (http) {
      let req;
      try {
        req = fromHttpApiEvent(event, config.limits.maxBodyBytes);
      } catch (err) {
        // Refused before routing (an oversized body): still one record.
        const observation = router.observe(event.requestContext.http.method, encodedBodyBytes(event), requestContext);
        return toHttpApiResult(router.reject(observation, err));
      }
      const res = await router.handle(req, requestContext);
      return toHttpApiResult(res) satisfies APIGatewayProxyStructuredResultV2;
    }
    // An asynchronous request's run (lambdaJobs.ts), with the function's whole timeout.
    const job = jobs && (await jobEntry(jobs, event, (req) => router.handle(req, requestContext)));
    if (job) return job;
    const observation = router.observe('INVOKE', 0, requestContext, ROUTES.invoke);
    observation.model = invokeTarget.name;
    try {
      const request = observation.timing.timeSync('preprocess', () => parseInferObject(event));
      const encoded = await invokeTarget.infer(request, undefined, { timing: observation.timing, deadline: requestContext.deadline });
      observation.finish(200, Buffer.byteLength(encoded.json, 'utf8'));
      return invokeResult(encoded.json);
    } catch (err) {
      observation.finish(toPublicError(err).status, 0, err);
      // The record keeps the cause; the caller gets what an HTTP caller would read.
      throw publicErrorOf(err);
    }
  };
}

function encodedBodyBytes(event: { body?: string; isBase64Encoded?: boolean }): number {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body, 'utf8');
}

/** The answer of a direct invoke is a JSON value: the HTTP answer's text, parsed (non-finite floats are already null). */
function invokeResult(json: string): unknown {
  return JSON.parse(json) as unknown;
}
