import { describe, expect, it } from 'vitest';
import { DynamicBatcher } from '../../../lib/core/batching/DynamicBatcher';
import { QueueFullError } from '../../../lib/core/batching/errors';
import type { TensorMap } from '../../../lib/core/batching/BatchTensor';

const row = (v: number): TensorMap => ({ x: { type: 'float32', dims: [1, 2], data: Float32Array.of(v, v) } });

describe('DynamicBatcher.submitAlone (a recurrent loop as one unit of work)', () => {
  it('runs the unit in its turn, in the same queue as the batched calls, and never batches it', async () => {
    // prepare: one slot, batching on; what ran is recorded in order
    const ran: string[] = [];
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 8, maxQueueDelayMs: 0, maxInFlight: 1 }, async (feeds) => {
      ran.push(`batch of ${feeds.x!.dims[0]}`);
      await new Promise((r) => setImmediate(r));
      return feeds;
    });

    // act: a call takes the slot; two calls, a unit and two more calls queue behind it
    const calls = [batcher.submit(row(1)), batcher.submit(row(2)), batcher.submit(row(3))];
    const unit = batcher.submitAlone(async () => (ran.push('unit'), 'steps'));
    calls.push(batcher.submit(row(4)), batcher.submit(row(5)));

    // assess: the unit ran once, on its own; the calls queued around it were batched together
    await expect(unit).resolves.toBe('steps');
    await Promise.all(calls);
    expect(ran.filter((r) => r === 'unit')).toHaveLength(1);
    expect(ran).toHaveLength(3);
    expect(ran[0]).toBe('batch of 1');
    expect(ran.slice(1).sort()).toEqual(['batch of 4', 'unit']);
  });

  it('counts the unit against maxQueueSize: a full queue refuses it with 429', async () => {
    let release!: () => void;
    const batcher = new DynamicBatcher(
      { model: 'm', maxQueueSize: 1, maxInFlight: 1 },
      () => new Promise<TensorMap>((r) => (release = () => r({}))),
    );
    const first = batcher.submit(row(1));
    const queued = batcher.submitAlone(async () => 'ok');
    await expect(batcher.submitAlone(async () => 'too many')).rejects.toBeInstanceOf(QueueFullError);
    release();
    await first;
    await expect(queued).resolves.toBe('ok');
  });

  it("passes the unit's failure to its caller alone", async () => {
    const batcher = new DynamicBatcher({ model: 'm', maxInFlight: 1 }, async (feeds) => feeds);
    const failing = batcher.submitAlone(() => Promise.reject(new Error('loop failed')));
    const call = batcher.submit(row(1));
    await expect(failing).rejects.toThrow('loop failed');
    await expect(call).resolves.toEqual(row(1));
  });
});
