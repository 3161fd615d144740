import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createLambdaHandler, type LambdaHandler } from '../../lib/lambda/createLambdaHandler';
import { createServerHandler } from '../../lib/lambda/createServerHandler';
import { formatCatalog } from '../../lib/core/http/modelCatalog';
import { allRoutes, type ModelRoutesInfo } from '../../lib/core/http/routeTable';
import { NO_SINK } from '../../lib/core/observability/sinks';
import type { Pipeline } from '../../lib/core/pipeline/Pipeline';
import { pipelines } from '../../lib/core/builtins';
import { EXAMPLE_WEIGHTS } from '../../lib/tools/local/exampleWeights';
import { DEFAULT_LIMITS } from '../../lib/core/protocol/limits';
import { tempDir } from '../support/testHandler';
import type { WireRequest, WireResponse } from './rawHttp';

export interface ContractModel {
  name: string;
  weightsPath: string;
  version: string;
  pipeline?: Pipeline;
}

/** The example registry's generic model and its model with a domain route, as every way of serving loads them. */
export const EXAMPLE_MODELS: readonly ContractModel[] = Object.freeze([
  { name: 'tiny', weightsPath: EXAMPLE_WEIGHTS.tiny as string, version: '1' },
  {
    name: 'text-orientation',
    weightsPath: EXAMPLE_WEIGHTS['text-orientation'] as string,
    version: '1',
    pipeline: pipelines.textOrientation,
  },
]);

// Text types an HTTP API passes to Lambda as UTF-8; every other body, and one with no
// Content-Type, arrives base64-encoded (the rule and its sources: lib/tools/local/offlinePatch.ts).
const HTTP_API_TEXT = /^(text\/[^;\s]+|application\/(json|xml|javascript))\s*(;|$)/i;

/** A request as API Gateway (HTTP API, payload 2.0) hands it to Lambda. */
export function httpApiEventOf(req: WireRequest, routeKey: string): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (req.body !== undefined) headers['content-length'] = String(req.body.length);
  const text = HTTP_API_TEXT.test(headers['content-type'] ?? '');
  const [rawPath, rawQuery = ''] = req.path.split('?');
  return {
    version: '2.0',
    routeKey,
    rawPath: rawPath ?? '/',
    rawQueryString: rawQuery,
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'contract',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: req.method, path: rawPath ?? '/', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'contract' },
      requestId: 'contract',
      routeKey,
      stage: '$default',
      time: '01/Dec/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    ...(req.body === undefined || req.body.length === 0
      ? { isBase64Encoded: false }
      : { body: text ? req.body.toString('utf8') : req.body.toString('base64'), isBase64Encoded: !text }),
  };
}

/**
 * The deployed API, simulated: the route table's routes go to each model's own Lambda handler,
 * every other request to the server function (the `$default` route), as API Gateway routes them.
 */
export function deployedApi(models: readonly ContractModel[]): (req: WireRequest) => Promise<WireResponse> {
  const infos: Record<string, ModelRoutesInfo> = Object.fromEntries(
    models.map((m) => [m.name, { versions: [m.version], predict: m.pipeline !== undefined }]),
  );
  const handlers = new Map<string, LambdaHandler>();
  for (const m of models) {
    const handler = createLambdaHandler(
      {
        name: m.name,
        uri: m.weightsPath,
        version: m.version,
        cacheDir: tempDir(),
        eager: false,
        session: { intraOpThreads: 1 },
        limits: DEFAULT_LIMITS,
      },
      { sink: NO_SINK, ...(m.pipeline ? { pipeline: m.pipeline } : {}) },
    );
    for (const route of allRoutes({ [m.name]: infos[m.name] as ModelRoutesInfo })) {
      if (route.path.includes(`/models/${m.name}`)) handlers.set(`${route.method} ${route.path}`, handler);
    }
  }
  const server = createServerHandler({ sink: NO_SINK, env: { ONNXLESS_MODEL_CATALOG: formatCatalog(infos) } });
  return async (req) => {
    const key = `${req.method} ${req.path.split('?')[0]}`;
    const handler = handlers.get(key);
    const result = (await (handler ?? server)(httpApiEventOf(req, handler ? key : '$default'))) as {
      statusCode: number;
      headers?: Record<string, string>;
      body?: string;
      isBase64Encoded?: boolean;
    };
    const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
    return { status: result.statusCode, headers, body };
  };
}
