import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TensorMap } from '../../../lib/core/batching/BatchTensor';
import { DynamicBatcher } from '../../../lib/core/batching/DynamicBatcher';
import { RequestTimeoutExpiredError } from '../../../lib/core/batching/errors';

const row = (v: number): TensorMap => ({ x: { type: 'float32', dims: [1, 1], data: Float32Array.of(v) } });

/**
 * Triton's `timeout` request parameter (microseconds): a request still waiting in the model's queue
 * when its own timeout passes is refused with a 408 and never run; the others run. The clock is
 * the test's (vi's fake Date), never a wait.
 */
describe("DynamicBatcher and a request's own timeout", () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  it('refuses, unrun, a request whose timeout passed while it waited, and runs the one without a timeout', async () => {
    // prepare: one slot, held by a first run the test releases
    const ran: number[] = [];
    let release!: () => void;
    const batcher = new DynamicBatcher({ model: 'm', maxInFlight: 1 }, async (feeds) => {
      ran.push((feeds.x!.data as Float32Array)[0]!);
      if (ran.length === 1) await new Promise<void>((r) => (release = r));
      return feeds;
    });
    const since = Date.now();
    const first = batcher.submit(row(1));
    const timed = batcher.submit(row(2), undefined, { model: 'm', since, timeoutMs: 100 });
    const patient = batcher.submit(row(3));

    // act: 150 ms pass while the first run holds the slot, then it ends
    vi.setSystemTime(since + 150);
    release();

    // assess: the timed request got its 408 without running; the others ran
    await expect(timed).rejects.toBeInstanceOf(RequestTimeoutExpiredError);
    await expect(timed).rejects.toMatchObject({
      status: 408,
      message:
        "model 'm': request timeout expired: it waited 150000 µs for its run, over its timeout parameter of 100000 µs; it was not run",
    });
    await Promise.all([first, patient]);
    expect(ran).toEqual([1, 3]);
  });

  it('runs a request whose timeout has not passed when its turn comes', async () => {
    const batcher = new DynamicBatcher({ model: 'm', maxInFlight: 1 }, async (feeds) => feeds);
    await expect(batcher.submit(row(1), undefined, { model: 'm', since: Date.now(), timeoutMs: 1000 })).resolves.toBeDefined();
  });
  it('gives the runner the check for a wait after the queue: one past its timeout there is refused unrun, with its own 408', async () => {
    // prepare: a runner that waits for a thread (as serve's scheduler does) and asks the batch's check when one frees
    const since = Date.now();
    const ran: number[] = [];
    const batcher = new DynamicBatcher({ model: 'm', maxInFlight: 1 }, async (feeds, _fetches, expired) => {
      vi.setSystemTime(since + 150); // 150 ms waiting for a thread
      const refusal = expired?.();
      if (refusal) throw refusal;
      ran.push((feeds.x!.data as Float32Array)[0]!);
      return feeds;
    });

    // act: a request with 100 ms leaves the queue at once (a free slot), then waits 150 ms for a thread
    const timed = batcher.submit(row(1), undefined, { model: 'm', since, timeoutMs: 100 });

    // assess
    await expect(timed).rejects.toMatchObject({ status: 408, message: expect.stringMatching(/waited 150000 µs .* it was not run$/) });
    expect(ran).toEqual([]);
    await expect(batcher.submit(row(2), undefined, { model: 'm', since: Date.now(), timeoutMs: 1000 })).resolves.toBeDefined();
  });

  it('refuses a batch at the runner only when every request in it is past its timeout, each with its own 408', async () => {
    // prepare: one slot held by row 0 until released; the runner's thread wait moves the clock 150 ms
    const ran: number[][] = [];
    let release!: () => void;
    let clock = Date.now();
    const batcher = new DynamicBatcher({ model: 'm', maxInFlight: 1, maxBatchSize: 4 }, async (feeds, _fetches, expired) => {
      const rows = [...(feeds.x!.data as Float32Array)];
      if (rows[0] === 0) await new Promise<void>((r) => (release = r));
      else vi.setSystemTime((clock += 150));
      const refusal = expired?.();
      if (refusal) throw refusal;
      ran.push(rows);
      return feeds;
    });
    const held = batcher.submit(row(0));
    const timeout = () => ({ model: 'm', since: Date.now(), timeoutMs: 100 });
    const expiredBoth = [batcher.submit(row(1), undefined, timeout()), batcher.submit(row(2), undefined, timeout())];

    // act: the slot frees; rows 1 and 2 leave the queue as one batch, then wait 150 ms for a thread
    release();
    await held;

    // assess: both refused, unrun, each with its own 408
    for (const p of expiredBoth) await expect(p).rejects.toMatchObject({ status: 408, message: expect.stringMatching(/it was not run$/) });
    expect(ran).toEqual([[0]]);

    // and a batch with one request still wanted (no timeout) runs whole
    const held2 = batcher.submit(row(0));
    const mixed = [batcher.submit(row(3), undefined, timeout()), batcher.submit(row(4))];
    release();
    await held2;
    await Promise.all(mixed);
    expect(ran).toEqual([[0], [0], [3, 4]]);
  });
});
