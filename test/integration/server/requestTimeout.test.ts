import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, metricValue, startTestServer, tempDir } from './helpers';
import { writeModels } from './models';

/**
 * Triton's `timeout` request parameter on serve: a request whose own timeout passes while it waits
 * for the model's one busy worker is answered 408 and never run. Counted in runs, never timed.
 */
describe("serve and a request's timeout parameter", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  const infer = (parameters?: object, model = 'slow') =>
    call(server.url, 'POST', `/v2/models/${model}/infer`, {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [1.5] }],
      parameters,
    });
  const runs = async (model = 'slow') => metricValue(await server.metrics.text(), 'onnxless_inference_duration_seconds_count', { model });

  beforeAll(async () => {
    const models = writeModels(tempDir(), 400);
    server = await startTestServer({ workers: 1, models: { slow: { weights: models.slow }, other: { weights: models.slow } } });
    expect((await infer()).status).toBe(200);
    expect((await infer(undefined, 'other')).status).toBe(200);
  });
  afterAll(() => server?.drain(10_000));

  it('answers 408, unrun, to a request that waited past its 1 ms timeout behind a run, and runs the one without', async () => {
    // prepare
    const before = await runs();

    // act: a run takes the one worker (a slow model: seconds), and a request with timeout 1000 µs queues behind it
    const [busy, timed] = await Promise.all([infer(), infer({ timeout: 1000 })]);

    // assess
    expect(busy.status).toBe(200);
    expect(timed.status).toBe(408);
    expect(timed.json<{ error: string }>().error).toMatch(
      /^model 'slow': request timeout expired: it waited \d+ µs for its run, over its timeout parameter of 1000 µs; it was not run$/,
    );
    expect((await runs()) - before).toBe(1);
  });

  it("answers 408, unrun, to a request that left its model's queue at once but waited past its timeout for the thread another model holds", async () => {
    // prepare: 'other' has an empty queue and a free slot of its own; the one thread is 'slow''s
    const before = { slow: await runs(), other: await runs('other') };

    // act: a slow run takes the thread (seconds); a request to 'other' with timeout 1000 µs then
    // leaves other's queue at once and waits for the thread in the scheduler
    const waits = async () => metricValue(await server.metrics.text(), 'onnxless_worker_wait_seconds_count', { model: 'slow' });
    const started = await waits();
    const busy = infer();
    while ((await waits()) === started) await new Promise((r) => setTimeout(r, 5));
    const timed = await infer({ timeout: 1000 }, 'other');

    // assess: refused when its turn for the thread came, never run (it ran, late, with a 200 before)
    expect((await busy).status).toBe(200);
    expect(timed.status).toBe(408);
    expect(timed.json<{ error: string }>().error).toMatch(/^model 'other': request timeout expired: .* it was not run$/);
    expect((await runs()) - before.slow).toBe(1);
    expect((await runs('other')) - before.other).toBe(0);
  });

  it('runs a request within a generous timeout, and refuses sequence_id with a 400', async () => {
    expect((await infer({ timeout: 60_000_000, priority: 2 })).status).toBe(200);
    const sequence = await infer({ sequence_id: 42, sequence_start: true });
    expect(sequence.status).toBe(400);
    expect(sequence.json<{ error: string }>().error).toMatch(/sequence_id/);
  });
});
