/** A run under way and who waits on it. */
interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  /** Callers with a signal that has not fired. */
  waiting: number;
  /** A caller waits without a signal (an eager load, a server request): never abort. */
  pinned: boolean;
}

/**
 * At most one run of some work at a time: concurrent callers share its promise. Nothing is
 * cached, neither a result nor a failure: once the run settles the next call starts another
 * (the owner keeps what it wants of the result), so a failed or aborted run is simply tried
 * again.
 *
 * A caller may pass a signal to stop waiting. The run itself is aborted (through the signal
 * handed to the work) only when every caller waiting on it has given up and none waits without
 * a signal.
 */
export class SingleFlight<T> {
  private flight?: Flight<T>;

  /** `what` names the work in the abort reason ('every caller waiting for this load gave up'). */
  constructor(private readonly what = 'run') {}

  /**
   * Join the run in flight, or start `work` when there is none: only the caller that starts a
   * run has its `work` called. The promise rejects with `signal`'s reason when it fires first.
   */
  run(work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.flight?.controller.signal.aborted) {
      // An aborted run may still be cleaning up (a load parking its bytes): the next one starts
      // after it, and so resumes from what it kept instead of racing it from the start.
      this.flight = this.start(work, this.flight);
    }
    const flight = (this.flight ??= this.start(work));
    if (!signal) {
      flight.pinned = true;
      return flight.promise;
    }
    flight.waiting += 1;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const leave = (): boolean => {
        if (settled) return false;
        settled = true;
        flight.waiting -= 1;
        signal.removeEventListener('abort', onAbort);
        return true;
      };
      const onAbort = (): void => {
        if (!leave()) return;
        this.abandoned(flight);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (value) => leave() && resolve(value),
        (err: unknown) => leave() && reject(err),
      );
    });
  }

  private start(work: (signal: AbortSignal) => Promise<T>, after?: Flight<T>): Flight<T> {
    const controller = new AbortController();
    const flight: Flight<T> = { controller, waiting: 0, pinned: false, promise: undefined as unknown as Promise<T> };
    const run = async (): Promise<T> => {
      if (after) {
        try {
          // Aborted late (a load creating its session), it may have finished anyway.
          return await after.promise;
        } catch {
          // Stopped as asked: run again (a load resumes from the kept bytes).
        }
      }
      return work(controller.signal);
    };
    flight.promise = run().then(
      (value) => {
        if (this.flight === flight) this.flight = undefined;
        return value;
      },
      (err: unknown) => {
        if (this.flight === flight) this.flight = undefined;
        throw err;
      },
    );
    // Observed here as well: a run nobody waits for any more must not become an unhandled rejection.
    flight.promise.catch(() => {});
    return flight;
  }

  /** A waiter left; with nobody else waiting, stop the run. */
  private abandoned(flight: Flight<T>): void {
    if (flight.waiting === 0 && !flight.pinned && !flight.controller.signal.aborted) {
      flight.controller.abort(new Error(`every caller waiting for this ${this.what} gave up`));
    }
  }
}
