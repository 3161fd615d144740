import { errorResult, fromHttpApiEvent, isHttpApiEvent, toHttpApiResult } from '../http/apiGatewayV2';
import { Router } from '../http/routes';
import { DEFAULT_LIMITS } from '../protocol/limits';
import type { LambdaHandler } from './createLambdaHandler';

/** The function behind the server routes; each model's own function reports that model's readiness. */
export function createServerHandler(): LambdaHandler {
  const router = new Router([]);
  return async (event: unknown) => {
    if (!isHttpApiEvent(event)) return errorResult(new Error('the server function answers HTTP API events only'));
    try {
      return toHttpApiResult(await router.handle(fromHttpApiEvent(event, DEFAULT_LIMITS.maxBodyBytes)));
    } catch (err) {
      return errorResult(err);
    }
  };
}
