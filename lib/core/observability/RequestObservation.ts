import type { DeadlineKind, ObservabilitySink, RequestRecord, RouteName } from './records';
import { RequestTiming } from './RequestTiming';

export interface RequestStart {
  method: string;
  route: RouteName;
  requestId?: string;
  coldStart?: boolean;
  requestBytes: number;
}

/**
 * One request on its way through: its timing, the model once the route names a served one,
 * and, when it completes, the one record every sink receives.
 */
export class RequestObservation {
  readonly timing: RequestTiming;
  route: RouteName;
  model?: string;
  private finished?: RequestRecord;

  constructor(
    private readonly sink: ObservabilitySink,
    private readonly start: RequestStart,
    now?: () => number,
  ) {
    this.timing = new RequestTiming(now);
    this.route = start.route;
  }

  /** Emits the request's record (once) and returns it. `error` is what the status came from. */
  finish(status: number, responseBytes: number, error?: unknown): RequestRecord {
    if (this.finished) return this.finished;
    const record: RequestRecord = {
      ...(this.model === undefined ? {} : { model: this.model }),
      ...(this.start.requestId === undefined ? {} : { requestId: this.start.requestId }),
      route: this.route,
      method: this.start.method,
      status,
      coldStart: this.start.coldStart ?? false,
      durations: this.timing.durations(),
      requestBytes: this.start.requestBytes,
      responseBytes,
      ...describeError(status, error),
    };
    this.finished = record;
    safely(() => this.sink.onRequest(record));
    return record;
  }
}

function describeError(status: number, error: unknown): Partial<RequestRecord> {
  if (status < 400 || error === undefined) return {};
  const out: Partial<RequestRecord> = { errorType: error instanceof Error ? error.name : typeof error };
  const deadline = (error as { deadline?: DeadlineKind } | null)?.deadline;
  if (deadline === 'load' || deadline === 'inference') out.deadline = deadline;
  if ((error as { repeated?: unknown } | null)?.repeated === true) out.repeated = true;
  // 5xx messages are ours (model, key, cause) and operators need them; 4xx messages may quote
  // the caller's input (names, datatypes), which must stay out of the logs.
  if (status >= 500) out.errorMessage = describeCause(error);
  return out;
}

export function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (cause: ${err.cause.name}: ${err.cause.message})` : '';
  return `${err.name}: ${err.message}${cause}`;
}

/** Observability never fails a request: a sink that throws is ignored for that record. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Nothing sensible to do: the sink is how we would have reported it.
  }
}
