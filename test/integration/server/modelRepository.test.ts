import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModel } from '../../support/onnxModels';
import { addConstantModel } from '../../support/repositoryModels';
import { call, startTestServer, tempDir } from './helpers';

/**
 * Triton's model repository extension and SageMaker's multi-model header on `onnxless serve`,
 * over real HTTP, two add-constant models on the worker threads (lazy: loaded by the load route,
 * released on every thread by the unload route). A repository's models: repositoryServe.test.ts.
 */
let server: Awaited<ReturnType<typeof startTestServer>>;
const infer = { inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [0, 1, 2] }] };

beforeAll(async () => {
  const dir = tempDir();
  const models = Object.fromEntries(
    [1, 2].map((c) => [`plus${c}`, { weights: writeModel(`${dir}/plus${c}.onnx`, addConstantModel(c)), eager: false }]),
  );
  server = await startTestServer({ workers: 1, defaultModel: 'plus1', models });
});
afterAll(async () => server?.drain(5_000));

describe("serve's model repository extension", () => {
  it('indexes the models with their state, loads one on request, and lists only the ready ones when asked', async () => {
    const before = await call(server.url, 'POST', '/v2/repository/index', {});
    expect(before.status).toBe(200);
    expect(before.json()).toEqual([
      { name: 'plus1', state: 'LOADING', reason: 'not loaded yet' },
      { name: 'plus2', state: 'LOADING', reason: 'not loaded yet' },
    ]);
    const load = await call(server.url, 'POST', '/v2/repository/models/plus2/load');
    expect([load.status, load.json()]).toEqual([200, {}]);
    expect((await call(server.url, 'POST', '/v2/repository/index', { ready: true })).json()).toEqual([
      { name: 'plus2', state: 'READY', reason: '' },
    ]);
  });

  it('unloads a model on request: UNAVAILABLE in the index, /ping still healthy, loaded again by its next request', async () => {
    const load = await call(server.url, 'POST', '/v2/repository/models/plus2/load');
    expect(load.status).toBe(200);
    const unload = await call(server.url, 'POST', '/v2/repository/models/plus2/unload');
    expect([unload.status, unload.json()]).toEqual([200, {}]);
    await expect
      .poll(async () => (await call(server.url, 'POST', '/v2/repository/index', {})).json())
      .toContainEqual({ name: 'plus2', state: 'UNAVAILABLE', reason: 'unloaded: its next request loads it again' });
    expect((await call(server.url, 'GET', '/ping')).status).toBe(200);
    const again = await call(server.url, 'POST', '/v2/models/plus2/infer', infer);
    expect([again.status, again.json().outputs[0].data]).toEqual([200, [2, 3, 4]]);
    expect((await call(server.url, 'POST', '/v2/repository/index', { ready: true })).json()).toContainEqual({
      name: 'plus2',
      state: 'READY',
      reason: '',
    });
  });

  it('refuses an unknown model (404), a bad index body (400) and a GET (405), each with an error body', async () => {
    const unknown = await call(server.url, 'POST', '/v2/repository/models/nope/load');
    expect([unknown.status, unknown.json()]).toEqual([404, { error: "unknown model 'nope'; served here: plus1, plus2" }]);
    expect((await call(server.url, 'POST', '/v2/repository/models/nope/unload')).status).toBe(404);
    expect((await call(server.url, 'POST', '/v2/repository/index', '{"ready": "yes"}')).status).toBe(400);
    const get = await call(server.url, 'GET', '/v2/repository/index');
    expect([get.status, get.headers.allow]).toEqual([405, 'POST']);
  });
});

describe('SageMaker multi-model header on /invocations', () => {
  it('routes to the model X-Amzn-SageMaker-Target-Model names (with or without .tar.gz), else to the default', async () => {
    const data = async (headers: Record<string, string>) =>
      (await call(server.url, 'POST', '/invocations', infer, headers)).json<{ outputs: Array<{ data: number[] }> }>().outputs[0]!.data;
    expect(await data({})).toEqual([1, 2, 3]);
    expect(await data({ 'x-amzn-sagemaker-target-model': 'plus2' })).toEqual([2, 3, 4]);
    expect(await data({ 'X-Amzn-SageMaker-Target-Model': 'plus2.tar.gz' })).toEqual([2, 3, 4]);
    const unknown = await call(server.url, 'POST', '/invocations', infer, { 'x-amzn-sagemaker-target-model': 'nope' });
    expect(unknown.status).toBe(404);
  });
});
