import { describe, expect, it } from 'vitest';
import { SingleFlight } from '../../../lib/core/onnx/SingleFlight';

/** Work that settles when the test says. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('single flight', () => {
  it('runs the work once for concurrent callers, who all get its result', async () => {
    const flight = new SingleFlight<string>();
    const work = deferred<string>();
    let runs = 0;
    const start = () => {
      runs += 1;
      return work.promise;
    };

    const first = flight.run(start);
    const second = flight.run(start);
    work.resolve('model');

    expect(second).toBe(first);
    await expect(Promise.all([first, second])).resolves.toEqual(['model', 'model']);
    expect(runs).toBe(1);
  });

  it('does not keep a failure: the next call runs the work again', async () => {
    const flight = new SingleFlight<string>();
    let runs = 0;
    const start = async () => {
      runs += 1;
      if (runs === 1) throw new Error('outage');
      return 'model';
    };

    await expect(flight.run(start)).rejects.toThrow('outage');
    await expect(flight.run(start)).resolves.toBe('model');
    expect(runs).toBe(2);
  });

  it('aborts the work only once every caller with a signal has given up', async () => {
    const flight = new SingleFlight<string>();
    let workSignal: AbortSignal | undefined;
    const start = (signal: AbortSignal) => {
      workSignal = signal;
      return new Promise<string>(() => undefined);
    };
    const a = new AbortController();
    const b = new AbortController();

    const first = flight.run(start, a.signal);
    const second = flight.run(start, b.signal);
    a.abort(new Error('a left'));
    await expect(first).rejects.toThrow('a left');
    expect(workSignal?.aborted).toBe(false);
    b.abort(new Error('b left'));

    await expect(second).rejects.toThrow('b left');
    expect(workSignal?.aborted).toBe(true);
  });
});
