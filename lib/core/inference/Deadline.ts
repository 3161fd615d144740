/**
 * When the answer must be on its way. On Lambda that is the function's remaining time (or API
 * Gateway's 30 s integration timeout, whichever comes first) less a safety margin: Lambda
 * kills the sandbox at its timeout, and a killed sandbox answers nothing and loses its memory.
 */
export class Deadline {
  private constructor(
    private readonly at: number,
    private readonly now: () => number,
  ) {}

  /** No deadline: direct calls in tests, servers without a per-request budget. */
  static none(): Deadline {
    return new Deadline(Number.POSITIVE_INFINITY, () => performance.now());
  }

  /** `budgetMs` from now (negative budgets are already over). */
  static in(budgetMs: number, now: () => number = () => performance.now()): Deadline {
    return new Deadline(now() + budgetMs, now);
  }

  get isFinite(): boolean {
    return Number.isFinite(this.at);
  }

  /** Milliseconds left; 0 or less once passed; Infinity without a deadline. */
  remainingMs(): number {
    return this.at - this.now();
  }
}

export interface LambdaDeadlineOptions {
  /** Kept back for answering and flushing logs before Lambda's timeout (default 1500 ms). */
  safetyMarginMs?: number;
  /** A cap on the budget whatever Lambda says: API Gateway HTTP APIs give up after 30 s. */
  capMs?: number;
}

export const DEFAULT_SAFETY_MARGIN_MS = 1500;
/** API Gateway HTTP API's integration timeout, which cannot be raised. */
export const HTTP_API_TIMEOUT_MS = 30_000;

/** The deadline of an invocation, from the context's `getRemainingTimeInMillis()`. */
export function deadlineFromLambdaContext(
  context: { getRemainingTimeInMillis?: () => number } | undefined,
  options: LambdaDeadlineOptions = {},
): Deadline {
  const margin = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const remaining = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  const budgets = [remaining, options.capMs].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (budgets.length === 0) return Deadline.none();
  return Deadline.in(Math.min(...budgets) - margin);
}
