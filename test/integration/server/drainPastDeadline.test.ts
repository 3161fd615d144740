import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { identityModel, writeModel } from '../../support/onnxModels';
import { call, metricValue, startTestServer, tempDir, waitFor } from './helpers';

/**
 * A drain whose deadline passes while an inference thread is inside onnxruntime's native code,
 * here creating a session. Stopping that thread, as the drain did (`destroy`), aborted the whole
 * process: "terminate called after throwing an instance of 'Napi::Error'", SIGABRT; a clean-clone
 * CI run lost its test process that way (2026-12-07). The server runs in this process: an abort
 * ends this file and fails it.
 */
describe('a drain that runs out of time while a session is being created', () => {
  it('answers false, says the threads are busy, stops none of them, and the process lives on', async () => {
    // prepare: two inference threads with onnxruntime already loaded (an eager tiny model on
    // each), then the recognition model (10.8 MB: ~0.2-0.4 s to create) asked to load
    const tiny = writeModel(join(tempDir(), 'tiny.onnx'), identityModel());
    const server = await startTestServer({
      workers: 2,
      models: { tiny: { weights: tiny, eager: true }, rec: { weights: EXAMPLE_WEIGHTS['text-recognition']!, eager: false } },
    });
    await waitFor(async () => (await loads(server, 'tiny', 'session')) >= 2, 30_000, 'tiny loaded on both threads');
    const loading = call(server.url, 'POST', '/v2/repository/models/rec/load').catch((err: Error) => err);
    // Its weights are in (a local file, hashed): the thread is creating its session now.
    await waitFor(async () => (await loads(server, 'rec', 'weights')) >= 1, 30_000, 'rec weights in');

    // act: a budget of nothing, while the creation runs
    const clean = await server.drain(0);

    // assess: not clean, the threads reported busy and left to finish their calls
    expect(clean).toBe(false);
    expect(server.threadsBusy).toBe(true);
    expect(server.logs.find((l) => l.message === 'drained')?.fields).toMatchObject({ clean: false, threadsBusy: true });
    // The creation returns and the pool then closes by itself (its idle threads stopped); this
    // process is still here (with the thread stopped mid-creation it aborted at the drain).
    await loading;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(server.logs.filter((l) => l.message === 'drained')).toHaveLength(1);
  }, 60_000);
});

/** How many loads of `model` reached `stage` ('weights': fetched and verified; 'session': created on a thread), from /metrics. */
async function loads(server: { url: string }, model: string, stage: string): Promise<number> {
  const text = (await call(server.url, 'GET', '/metrics')).body.toString();
  return metricValue(text, 'onnxless_model_load_duration_seconds_count', { model, stage });
}
