import fc from 'fast-check';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, metricValue, startTestServer, tempDir } from './helpers';
import { BATCHABLE, writeModels } from './models';

interface Case {
  rows: number;
  x: number[];
  ids: number[];
}

const CLIENTS = 96;

describe('dynamic batching under concurrent load', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let session: InferenceSession;

  beforeAll(async () => {
    const paths = writeModels(tempDir(), 4);
    server = await startTestServer({
      workers: 2,
      models: { classifier: { weights: paths.batchable, batching: { maxBatchSize: 32, maxQueueDelayMs: 5 }, maxQueueSize: 256 } },
    });
    session = await InferenceSession.create(paths.batchable);
  });

  afterAll(async () => {
    await server?.drain(5000);
  });

  it('gives every caller what it would get alone: bitwise for integers, within 1e-6 for floats', async () => {
    // prepare: requests of 1-4 rows with varied values, int32 extremes included
    const cases = fc.sample(
      fc.integer({ min: 1, max: 4 }).chain((rows) =>
        fc.record({
          rows: fc.constant(rows),
          x: fc.array(fc.float({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }), {
            minLength: rows * BATCHABLE.features,
            maxLength: rows * BATCHABLE.features,
          }),
          ids: fc.array(fc.integer({ min: -715_827_882, max: 715_827_882 }), { minLength: rows * 4, maxLength: rows * 4 }),
        }),
      ),
      { numRuns: CLIENTS, seed: 42 },
    ) as Case[];

    // act: all at once, so they queue and batch
    const replies = await Promise.all(
      cases.map((c) =>
        call(server.url, 'POST', '/v2/models/classifier/infer', {
          inputs: [
            { name: 'x', datatype: 'FP32', shape: [c.rows, BATCHABLE.features], data: c.x },
            { name: 'ids', datatype: 'INT32', shape: [c.rows, 4], data: c.ids },
          ],
        }),
      ),
    );

    // assess: against session.run on each request alone
    let bitwiseFloats = 0;
    for (const [i, c] of cases.entries()) {
      expect(replies[i]!.status).toBe(200);
      const outputs = Object.fromEntries(
        replies[i]!.json().outputs.map((o: { name: string; data: unknown[]; shape: number[] }) => [o.name, o]),
      );
      const alone = await session.run({
        x: new Tensor('float32', Float32Array.from(c.x), [c.rows, BATCHABLE.features]),
        ids: new Tensor('int32', Int32Array.from(c.ids), [c.rows, 4]),
      });
      expect(outputs.label.shape).toEqual([c.rows]);
      expect(outputs.label.data).toEqual(Array.from(alone.label!.data as BigInt64Array, Number));
      expect(outputs.scaled.data).toEqual(Array.from(alone.scaled!.data as Int32Array));
      const probs = alone.probs!.data as Float32Array;
      let same = true;
      outputs.probs.data.forEach((v: number, j: number) => {
        expect(Math.abs(v - probs[j]!)).toBeLessThanOrEqual(1e-6);
        if (Math.fround(v) !== probs[j]) same = false;
      });
      if (same) bitwiseFloats++;
    }
    console.info(`batching: ${bitwiseFloats}/${cases.length} float outputs bitwise identical to unbatched runs`);

    // and they were batched, not merely queued one by one
    const text = (await call(server.url, 'GET', '/metrics')).body.toString('utf8');
    const runs = metricValue(text, 'onnxless_batch_requests_count', { model: 'classifier' });
    const requests = metricValue(text, 'onnxless_batch_requests_sum', { model: 'classifier' });
    console.info(`batching: ${requests} requests in ${runs} runs`);
    expect(requests).toBe(CLIENTS);
    expect(runs).toBeLessThan(CLIENTS / 2);
  });
});
