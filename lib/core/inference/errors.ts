import { NotFoundError, OnnxlessError } from '../errors';

/**
 * 503: the model's first load could not finish before the deadline. The bytes downloaded so far
 * are kept (never used as the model until complete and verified); a retry after `Retry-After`
 * seconds resumes from them.
 */
export class LoadDeadlineError extends OnnxlessError {
  readonly model: string;
  readonly deadline = 'load' as const;
  constructor(model: string, waitedMs: number, retryAfterSeconds: number) {
    super(
      503,
      `model '${model}' is still loading after ${Math.round(waitedMs)} ms and the function's time is nearly up; ` +
        `what was downloaded is kept, retry in ${retryAfterSeconds} s`,
      { expose: true, headers: { 'retry-after': String(retryAfterSeconds) } },
    );
    this.model = model;
  }
}

/**
 * 504: the inference would very likely run past the deadline (its recent run times say so), so
 * it is refused up front rather than cut off by Lambda's timeout with no answer at all.
 */
export class InferenceDeadlineError extends OnnxlessError {
  readonly model: string;
  readonly deadline = 'inference' as const;
  constructor(model: string, estimateMs: number, remainingMs: number) {
    super(
      504,
      `model '${model}': inference takes about ${Math.ceil(estimateMs)} ms (p90 of recent runs) but only ` +
        `${Math.max(0, Math.floor(remainingMs))} ms are left before the function's deadline; retry with more time or a smaller input`,
      { expose: true },
    );
    this.model = model;
  }
}

/** 404: the model is served, but only through OIP: it has no pre/post-processing of its own. */
export function noDomainRoute(model: string): NotFoundError {
  return new NotFoundError(`model '${model}' has no domain route; use /v2/models/${model}/infer`);
}
