import { errorResult, fromHttpApiEvent, isHttpApiEvent, toHttpApiResult } from '../http/apiGatewayV2';
import { Router } from '../http/routes';
import { PowertoolsSink } from '../observability/PowertoolsSink';
import type { ObservabilitySink } from '../observability/records';
import { DEFAULT_LIMITS } from '../protocol/limits';
import type { InvocationContext, LambdaHandler } from './createLambdaHandler';
import { openApiFromPackage } from './openApiFile';

/** The function behind the server routes; each model's own function reports that model's readiness. */
export function createServerHandler(options: { sink?: ObservabilitySink } = {}): LambdaHandler {
  const router = new Router([], { sink: options.sink ?? new PowertoolsSink(), openApi: openApiFromPackage() });
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
