import { ENV, optionalString, type Env } from '../core/config/env';
import { catalogFromOpenApi, parseCatalog } from '../core/http/modelCatalog';
import { errorResult, fromHttpApiEvent, isHttpApiEvent, toHttpApiResult } from '../core/http/apiGatewayV2';
import { Router } from '../core/http/routes';
import { sinkFromEnv } from '../core/observability/sinkFromEnv';
import type { ObservabilitySink } from '../core/observability/records';
import { DEFAULT_LIMITS } from '../core/protocol/limits';
import { createBrowserPages } from '../core/pages/browserPages';
import type { InvocationContext, LambdaHandler } from './createLambdaHandler';
import { openApiFromPackage } from './openApiFile';

/**
 * The function behind the server routes, and behind every request no other route matches (the
 * HTTP API's `$default` route): unknown models and paths, wrong methods and versions get
 * onnxless's own `{"error"}` 404/405 from here, named with the deployment's model catalog.
 * Each model's own function reports that model's readiness. It also serves the browser pages
 * (/docs, /playground) from the OpenAPI document shipped in its zip.
 */
export function createServerHandler(options: { sink?: ObservabilitySink; env?: Env } = {}): LambdaHandler {
  const env = options.env ?? process.env;
  const openApi = openApiFromPackage(env);
  const catalog = optionalString(ENV.modelCatalog, env);
  const router = new Router([], {
    sink: options.sink ?? sinkFromEnv({}, env),
    openApi,
    // A catalog over Lambda's 4 KB of environment is not written (lib/tools/deploy/plan.ts): the
    // document in the zip lists the same models, read here once, at init.
    elsewhere: catalog !== undefined ? parseCatalog(catalog) : catalogFromOpenApi(openApi()),
    // /docs and /playground: the document above in a browser. Lambda sets AWS_REGION, which a
    // SigV4 signature names; serverless-offline sets IS_OFFLINE, and checks no signature.
    pages: createBrowserPages({ region: optionalString(ENV.region, env), emulated: optionalString(ENV.isOffline, env) === 'true' }),
  });
  let invocations = 0;
  return async (event: unknown, context?: InvocationContext) => {
    if (!isHttpApiEvent(event)) return errorResult(new Error('the server function answers HTTP API events only'));
    const requestContext = { requestId: context?.awsRequestId ?? event.requestContext.requestId, coldStart: invocations++ === 0 };
    try {
      return toHttpApiResult(await router.handle(fromHttpApiEvent(event, DEFAULT_LIMITS.maxBodyBytes), requestContext));
    } catch (err) {
      return toHttpApiResult(router.reject(router.observe(event.requestContext.http.method, 0, requestContext), err));
    }
  };
}
