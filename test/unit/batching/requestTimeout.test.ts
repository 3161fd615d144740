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
});
