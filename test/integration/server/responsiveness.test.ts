import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_MODELS } from '../../support/realModels';
import { call, spawnServer, tempDir, waitFor, type SpawnedServer } from './helpers';
import { bigJsonInfer, bigWav } from './heavyRequests';
import { writeModels } from './models';

const HEALTH_BOUND_MS = 50;

/**
 * Issue 13 S2: /ping keeps its bound while every processing thread works on the heaviest
 * preprocessing there is. The HTTP thread only reads, routes and writes; a single WAV resampled
 * or 6 MB of JSON parsed there would hold every /ping behind it for seconds.
 */
describe('/ping while the workers are saturated with heavy preprocessing', () => {
  let server: SpawnedServer;

  beforeAll(async () => {
    // A process of its own: the test's client (sending 6 MB bodies) must not share the server's event loop.
    const dir = tempDir();
    const models = writeModels(dir);
    const config = {
      workers: 1,
      processingThreads: 2,
      models: {
        vad: { weights: REAL_MODELS.sileroVad, pipeline: 'voiceActivity' },
        batchable: { weights: models.batchable },
      },
    };
    writeFileSync(join(dir, 'serve.json'), JSON.stringify(config));
    server = await spawnServer(
      ['node', 'bin/onnxless.mjs', 'serve', '--config', join(dir, 'serve.json'), '--port', '0', '--host', '127.0.0.1'],
      {
        ONNXLESS_CACHE_DIR: tempDir(),
        ONNXLESS_MODEL_DIR: tempDir(),
      },
    );
    await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 60_000, '/ping 200');
  }, 90_000);

  afterAll(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  });

  it(`answers /ping and health within ${HEALTH_BOUND_MS} ms (all but a few) during WAV resampling and 6 MB JSON parsing`, async () => {
    // prepare
    // 256 KiB at 383,999 Hz: about a second of resampling each on a shared 2-core box (the
    // review's 6 MiB clip takes half a minute here; the bench runs that one).
    const wav = bigWav(256 * 1024);
    const json = bigJsonInfer();
    let busy = true;
    const heavy = Promise.all([
      ...Array.from({ length: 4 }, () => call(server.url, 'POST', '/models/vad/predict', wav, { 'content-type': 'audio/wav' })),
      ...Array.from({ length: 4 }, () => call(server.url, 'POST', '/v2/models/batchable/infer', json)),
    ]).finally(() => (busy = false));

    // act: probe until the heavy requests are done
    const probes: number[] = [];
    const statuses = new Set<number>();
    while (busy) {
      const path = probes.length % 2 === 0 ? '/ping' : '/v2/health/live';
      const reply = await call(server.url, 'GET', path);
      probes.push(reply.ms);
      statuses.add(reply.status);
      await new Promise((r) => setTimeout(r, 10));
    }
    const replies = await heavy;

    // assess
    // A probe stuck behind the work on the HTTP thread waits out a whole heavy request: the
    // bound is judged against the shortest of them on this machine, never below
    // HEALTH_BOUND_MS, so a loaded box (slower work, slower everything) does not fail a free thread.
    const bound = Math.max(HEALTH_BOUND_MS, Math.min(...replies.map((r) => r.ms)) / 4);
    const slow = probes.filter((ms) => ms > bound).length;
    const sorted = [...probes].sort((a, b) => a - b);
    console.info(
      `health during heavy preprocessing: ${probes.length} probes, ${slow} over ${bound.toFixed(0)} ms, p99 ${sorted[Math.floor(sorted.length * 0.99)]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`,
    );
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    // The heavy work lasted long enough to be seen.
    expect(probes.length).toBeGreaterThan(50);
    expect([...statuses]).toEqual([200]);
    // A blocked HTTP thread holds one probe per block for the whole block, so few probes are
    // sent and many of them are slow; a free one answers hundreds, and only the CPU contention
    // of a shared 2-core box (other test files, other suites) makes a few of them miss: 2-5%
    // at load averages of 15-27 here, against 27% (and 30 probes in all) with the work on the
    // HTTP thread.
    expect(slow / probes.length).toBeLessThanOrEqual(0.1);
  }, 120_000);
});
