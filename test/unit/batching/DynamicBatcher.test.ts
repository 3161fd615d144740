import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DynamicBatcher, type RunBatch, type BatchReport } from '../../../lib/core/batching/DynamicBatcher';
import { QueueFullError, BatcherClosedError } from '../../../lib/core/batching/errors';
import { type TensorMap } from '../../../lib/core/batching/BatchTensor';

/** A row-wise "model": y = 2x + row sum (float32), n = x[0] as int64; one run at a time is recorded. */
function rowModel(calls: TensorMap[] = []): RunBatch {
  return async (feeds, fetches) => {
    calls.push(feeds);
    await new Promise((r) => setTimeout(r, 1));
    const x = feeds.x!;
    const [rows, cols] = x.dims as [number, number];
    const data = x.data as Float32Array;
    const y = new Float32Array(rows * cols);
    const n = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += data[r * cols + c]!;
      for (let c = 0; c < cols; c++) y[r * cols + c] = 2 * data[r * cols + c]! + sum;
      n[r] = BigInt(Math.trunc(data[r * cols]!));
    }
    const all: TensorMap = {
      y: { type: 'float32', dims: [rows, cols], data: y },
      n: { type: 'int64', dims: [rows], data: n },
    };
    return fetches ? Object.fromEntries(fetches.map((f) => [f, all[f]!])) : all;
  };
}

function request(rows: number, cols = 3, seed = 1): TensorMap {
  const data = Float32Array.from({ length: rows * cols }, (_, i) => ((i + 1) * seed) % 97);
  return { x: { type: 'float32', dims: [rows, cols], data } };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('DynamicBatcher', () => {
  it('runs concurrent requests together and gives each caller exactly its own rows', async () => {
    // prepare
    const calls: TensorMap[] = [];
    const run = rowModel(calls);
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 16, maxQueueDelayMs: 5, maxInFlight: 1 }, run);
    const requests = [1, 2, 3, 1, 4].map((rows, i) => request(rows, 3, i + 1));

    // act
    const results = await Promise.all(requests.map((r) => batcher.submit(r)));

    // assess
    expect(calls.length).toBeLessThan(requests.length);
    for (const [i, r] of requests.entries()) expect(results[i]).toEqual(await rowModel()(r, undefined));
  });

  it('keeps requests with different trailing dims in separate runs', async () => {
    const calls: TensorMap[] = [];
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 16, maxQueueDelayMs: 5, maxInFlight: 1 }, rowModel(calls));
    const narrow = [request(1, 3), request(2, 3)];
    const wide = [request(1, 4), request(2, 4)];
    const results = await Promise.all([...narrow, ...wide].map((r) => batcher.submit(r)));
    expect(calls.map((c) => c.x!.dims)).toEqual([
      [3, 3],
      [3, 4],
    ]);
    expect(results[3]).toEqual(await rowModel()(wide[1]!, undefined));
  });

  it('dispatches a full batch at once, without waiting for the queue delay', async () => {
    const calls: TensorMap[] = [];
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 4, maxQueueDelayMs: 60_000, maxInFlight: 1 }, rowModel(calls));
    await Promise.all([1, 2, 3, 4].map(() => batcher.submit(request(1))));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.x!.dims[0]).toBe(4);
  });

  it('waits at most maxQueueDelayMs for a batch to fill', async () => {
    vi.useFakeTimers();
    const calls: TensorMap[] = [];
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 8, maxQueueDelayMs: 50, maxInFlight: 1 }, rowModel(calls), {}, () =>
      Date.now(),
    );
    const pending = batcher.submit(request(1));
    await vi.advanceTimersByTimeAsync(49);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5);
    await expect(pending).resolves.toBeDefined();
  });

  it('runs a request larger than maxBatchSize alone', async () => {
    const calls: TensorMap[] = [];
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 2, maxQueueDelayMs: 5, maxInFlight: 1 }, rowModel(calls));
    const big = request(5);
    expect(await batcher.submit(big)).toEqual(await rowModel()(big, undefined));
    expect(calls[0]!.x!.dims).toEqual([5, 3]);
  });

  it('answers 429 with Retry-After once maxQueueSize requests are waiting', async () => {
    // prepare: one slot, busy for a while; two may wait
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run: RunBatch = async (feeds) => {
      await gate;
      return feeds;
    };
    const batcher = new DynamicBatcher({ model: 'm', maxQueueSize: 2, maxInFlight: 1 }, run);

    // act
    const accepted = [batcher.submit(request(1)), batcher.submit(request(1)), batcher.submit(request(1))];
    const refused = batcher.submit(request(1));

    // assess
    const err = await refused.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueFullError);
    expect((err as QueueFullError).status).toBe(429);
    expect(Number((err as QueueFullError).headers['retry-after'])).toBeGreaterThanOrEqual(1);
    release();
    await expect(Promise.all(accepted)).resolves.toHaveLength(3);
  });

  it('reruns a failed batch request by request, so only the bad request fails', async () => {
    const run: RunBatch = async (feeds) => {
      const data = feeds.x!.data as Float32Array;
      if (data.some((v) => v < 0)) throw new Error('negative input');
      return feeds;
    };
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 8, maxQueueDelayMs: 5, maxInFlight: 1 }, run);
    const bad: TensorMap = { x: { type: 'float32', dims: [1, 1], data: Float32Array.from([-1]) } };
    const good: TensorMap = { x: { type: 'float32', dims: [1, 1], data: Float32Array.from([1]) } };
    const results = await Promise.allSettled([batcher.submit(good), batcher.submit(bad), batcher.submit(good)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('turns batching off, once, when an output is not batched along dim 0, and still answers every caller', async () => {
    const run: RunBatch = async (feeds) => ({
      total: { type: 'float32', dims: [1], data: Float32Array.of((feeds.x!.data as Float32Array).reduce((a, b) => a + b, 0)) },
    });
    const disabled: string[] = [];
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 8, maxQueueDelayMs: 5, maxInFlight: 1 }, run, {
      onBatchingDisabled: (_m, reason) => disabled.push(reason),
    });
    const results = await Promise.all(
      [1, 2, 3].map((v) => batcher.submit({ x: { type: 'float32', dims: [1, 1], data: Float32Array.of(v) } })),
    );
    expect(results.map((r) => (r.total!.data as Float32Array)[0])).toEqual([1, 2, 3]);
    expect(disabled).toHaveLength(1);
    expect(batcher.batching).toBe(false);
  });

  it('fetches the union of outputs for a batch and hands each caller only what it asked for', async () => {
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 8, maxQueueDelayMs: 5, maxInFlight: 1 }, rowModel());
    const [onlyY, onlyN] = await Promise.all([batcher.submit(request(1), ['y']), batcher.submit(request(1), ['n'])]);
    expect(Object.keys(onlyY!)).toEqual(['y']);
    expect(Object.keys(onlyN!)).toEqual(['n']);
  });

  it('reports each run with its requests, rows and queue times', async () => {
    const reports: BatchReport[] = [];
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 8, maxQueueDelayMs: 5, maxInFlight: 1 }, rowModel(), {
      onDispatch: (r) => reports.push(r),
    });
    await Promise.all([batcher.submit(request(2)), batcher.submit(request(3))]);
    expect(reports).toEqual([{ model: 'm', requests: 2, rows: 5, queueMs: [expect.any(Number), expect.any(Number)] }]);
  });

  it('refuses new work once closed and resolves close after the running work', async () => {
    const batcher = new DynamicBatcher({ model: 'm', maxBatchSize: 4, maxQueueDelayMs: 5, maxInFlight: 1 }, rowModel());
    const inFlight = batcher.submit(request(1));
    const closed = batcher.close();
    await expect(batcher.submit(request(1))).rejects.toBeInstanceOf(BatcherClosedError);
    await closed;
    await expect(inFlight).resolves.toBeDefined();
  });

  it('gives every caller what it would get alone, for any mix of sizes, shapes and limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 2, max: 3 }), seed: fc.integer({ min: 1, max: 50 }) }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 3 }),
        async (specs, maxBatchSize, maxInFlight) => {
          const batcher = new DynamicBatcher({ model: 'm', maxBatchSize, maxQueueDelayMs: 1, maxInFlight, maxQueueSize: 64 }, rowModel());
          const requests = specs.map((s) => request(s.rows, s.cols, s.seed));
          const results = await Promise.all(requests.map((r) => batcher.submit(r)));
          for (const [i, r] of requests.entries()) expect(results[i]).toEqual(await rowModel()(r, undefined));
        },
      ),
      { numRuns: 40 },
    );
  });
});
