import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_MODELS } from '../../../lib/tools/local/exampleWeights';
import { compiledCli } from '../../shipped/compiledCli';
import { call, metricValue, spawnServer, tempDir, waitFor } from './helpers';

const MEMBERS = { detection: 'ocr-detection', orientation: 'ocr-orientation', recognition: 'ocr-recognition' } as const;

/**
 * Issue 27: `onnxless serve` with a pipeline whose models were still loading when it was told to
 * stop aborted (SIGABRT, `terminate called after throwing an instance of 'Napi::Error'`): the
 * worker pool's close counted a thread done when its running session creation ended, and
 * terminated it while the next queued one ran in onnxruntime's native code. Two threads, three
 * eager members, SIGTERM as the first is loaded: the process must end cleanly, exit code 0.
 */
describe('serve told to stop while a pipeline is still loading', () => {
  let compiled: Awaited<ReturnType<typeof compiledCli>>;
  let config: string;

  beforeAll(async () => {
    compiled = await compiledCli();
    const dir = tempDir();
    const models: Record<string, { weights: string }> = {};
    for (const name of Object.values(MEMBERS)) {
      mkdirSync(join(dir, name), { recursive: true });
      for (const file of EXAMPLE_MODELS[name]!) copyFileSync(file.from, join(dir, name, file.path));
      models[name] = { weights: join(dir, name) };
    }
    config = join(dir, 'serve.json');
    const pipelines = { ocr: { pipeline: 'ocr', models: MEMBERS } };
    writeFileSync(config, JSON.stringify({ port: 0, host: '127.0.0.1', workers: 2, modelDir: join(dir, 'none'), models, pipelines }));
  }, 180_000);

  afterAll(() => compiled?.remove());

  it('exits 0 without an abort, after the loads it started', async () => {
    // prepare: the server up on two inference threads, its three members loading
    const server = await spawnServer(['node', 'dist/onnxless.mjs', 'serve', '--config', config], {}, 60_000, compiled.dir);

    // act: SIGTERM as the first member is loaded (its session being made on the other thread, the next members' queued)
    await waitFor(() => server.stdout().includes('"message":"model loaded"'), 60_000, 'a first model loaded');
    server.child.kill('SIGTERM');
    const exit = await server.exited;

    // assess: a clean exit, no native abort, the drain reported clean
    expect(server.stderr()).not.toMatch(/Napi::Error|terminate called/);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(server.stdout()).toMatch(/"message":"drained","clean":true/);
    expect(server.stdout()).not.toMatch(/"model load failed"/);
  }, 120_000);

  it('past its drain budget, with a session still being made, ends by the SIGTERM it was sent, not by an abort', async () => {
    // prepare: the same server with no drain budget at all
    const dir = tempDir();
    const noBudget = join(dir, 'serve.json');
    writeFileSync(noBudget, JSON.stringify({ ...(JSON.parse(readFileSync(config, 'utf8')) as object), drainTimeoutMs: 0 }));
    const server = await spawnServer(['node', 'dist/onnxless.mjs', 'serve', '--config', noBudget], {}, 60_000, compiled.dir);

    // act: SIGTERM while the members' sessions are being made (the first one's weights are in)
    await waitFor(
      async () =>
        metricValue((await call(server.url, 'GET', '/metrics')).body.toString(), 'onnxless_model_load_duration_seconds_count', {
          stage: 'weights',
        }) >= 1,
      60_000,
      'a first member fetched',
    );
    server.child.kill('SIGTERM');
    const exit = await server.exited;

    // assess: the threads were left inside onnxruntime, and the process ended by its signal
    expect(server.stderr()).not.toMatch(/Napi::Error|terminate called/);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: null, signal: 'SIGTERM' });
    expect(server.stdout()).toMatch(/"message":"drained","clean":false,"ms":\d+,"threadsBusy":true/);
  }, 120_000);
});
