import { BadRequestError } from '../errors';
/** What these read of an infer request: its request-level `parameters`. */
interface WithParameters {
  parameters?: Record<string, unknown>;
}

/**
 * Triton's request parameters (tritonclient's `infer(..., sequence_id, priority, timeout)`,
 * http/_utils.py `_get_inference_request`), checked instead of ignored:
 * - `timeout`: microseconds the request may wait for its run (Triton: honoured by the dynamic
 *   batcher); honoured here on every form (requestExpiry), a whole number >= 0.
 * - `priority`: Triton uses it only where the model's batcher has priority levels, and no model
 *   here has them: a whole number >= 0, accepted without effect, as Triton does then.
 * - `sequence_id` (with `sequence_start`, `sequence_end`): Triton's sequence batcher, for stateful
 *   models fed a stream of requests; no model here is one, so a non-zero id is a 400 (tritonclient
 *   sends none for 0, its default) rather than each request run alone as if it were not.
 */
export function checkRequestParameters(request: WithParameters): void {
  const parameters = request.parameters;
  if (parameters === undefined) return;
  for (const name of ['timeout', 'priority'] as const) {
    if (!Object.hasOwn(parameters, name)) continue;
    const value = parameters[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
      throw new BadRequestError(
        `parameter ${name} must be a whole number >= 0${name === 'timeout' ? ' (microseconds)' : ''}, got ${JSON.stringify(value)}`,
      );
  }
  const sequence = Object.hasOwn(parameters, 'sequence_id') ? parameters.sequence_id : undefined;
  const inSequence = sequence !== undefined && sequence !== 0 && sequence !== '';
  const flagged = ['sequence_start', 'sequence_end'].some((flag) => Object.hasOwn(parameters, flag) && parameters[flag] === true);
  if (inSequence || flagged)
    throw new BadRequestError(
      `parameter sequence_id asks for Triton's sequence batching, and this model is not a sequence model: each request stands alone here; leave sequence_id, sequence_start and sequence_end out`,
    );
}

/** The request's `timeout` parameter in ms, when it has one (checked by checkRequestParameters). */
export function requestTimeoutMs(request: WithParameters): number | undefined {
  const timeout = request.parameters !== undefined && Object.hasOwn(request.parameters, 'timeout') ? request.parameters.timeout : undefined;
  return typeof timeout === 'number' ? timeout / 1000 : undefined;
}
