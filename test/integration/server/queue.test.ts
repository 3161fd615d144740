import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, metricValue, startTestServer, tempDir, waitFor } from './helpers';
import { writeModels } from './models';

const slowInfer = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [2] }] };

describe('a bounded queue per model', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    const paths = writeModels(tempDir(), 200);
    server = await startTestServer({ workers: 1, models: { slow: { weights: paths.slow, maxQueueSize: 2 } } });
    await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 20_000, 'load');
  });

  afterAll(async () => {
    await server?.drain(10_000);
  });

  it('answers 429 with Retry-After once the queue is full, and serves everything it accepted', async () => {
    // act: ten at once on one worker with room for two waiting
    const replies = await Promise.all(Array.from({ length: 10 }, () => call(server.url, 'POST', '/v2/models/slow/infer', slowInfer)));

    // assess
    const ok = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status === 429);
    expect(ok.length + refused.length).toBe(10);
    expect(ok.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const r of refused) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(r.json().error).toMatch(/model 'slow' is busy: its queue is full/);
    }
    for (const r of ok) expect(r.json().outputs[0].data).toEqual([2]);
    const text = (await call(server.url, 'GET', '/metrics')).body.toString();
    expect(metricValue(text, 'onnxless_requests_total', { model: 'slow', status: '429' })).toBe(refused.length);
  });

  it('takes requests again once the queue has room', async () => {
    const reply = await call(server.url, 'POST', '/v2/models/slow/infer', slowInfer);
    expect(reply.status).toBe(200);
  });
});
