import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPipeline, pipelines, type VoiceActivityResult } from '../../../lib/core/builtins';
import { HEAVY_LANE_EXTRA_NICE } from '../../../lib/serve/threadLanes';
import { DEFAULT_WORKER_NICE, WorkerPool } from '../../../lib/serve/WorkerPool';
import type { SessionSpec, WireTensor } from '../../../lib/serve/workerProtocol';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { REAL_MODELS } from '../../support/realModels';
import { directRunner } from '../pipelines/directRunner';
import { SPEECH_WAV } from '../pipelines/models';
import { call, metricValue, startTestServer } from './helpers';

/**
 * Issue 27 item 3: other models waited behind OCR on `onnxless serve`. Every model's runs went
 * through one FIFO in front of the inference threads, and the voice-activity pipeline made one
 * trip through it per 32 ms frame. Checked here as counts and order, never as times.
 */
describe('fair scheduling across models on the inference threads', () => {
  const spec = (model: string, path: string): SessionSpec => ({ model, path, session: { intraOpThreads: 1 }, cpuFallback: false });
  const detection = spec('detection', EXAMPLE_WEIGHTS['ocr-detection']!);
  const vad = spec('vad', REAL_MODELS.sileroVad);
  /** A page-sized detection input (the heavy model) and one VAD frame (the light one), new for every run: a run's feeds are moved to its thread. */
  const page = (): WireTensor => ({ type: 'float32', dims: [1, 3, 480, 480], data: new Float32Array(3 * 480 * 480).fill(0.5) });
  const frame = () =>
    ({
      input: { type: 'float32', dims: [1, 576], data: new Float32Array(576) },
      state: { type: 'float32', dims: [2, 1, 128], data: new Float32Array(256) },
      sr: { type: 'int64', dims: [], data: BigInt64Array.of(16_000n) },
    }) satisfies Record<string, WireTensor>;
  let pool: WorkerPool;

  beforeAll(async () => {
    pool = new WorkerPool({ threads: 2 });
    for (const s of [detection, vad]) for (const reply of await pool.warm(s)) expect(reply.ok).toBe(true);
  });

  afterAll(() => pool?.close());

  it("runs a light model's request after at most one heavy run per thread, with the heavy model's queue full", async () => {
    // prepare: a page-sized detection input (the heavy model) and one VAD frame (the light one)
    const heavyDone: number[] = [];
    let lightDoneAfter = -1;

    // act: 24 heavy runs queued first, then the light one
    const heavy = Array.from({ length: 24 }, (_, i) =>
      pool.run(detection, { x: page() }).then((reply) => {
        expect(reply.ok).toBe(true);
        heavyDone.push(i);
      }),
    );
    const light = pool.run(vad, frame()).then((reply) => {
      expect(reply.ok).toBe(true);
      lightDoneAfter = heavyDone.length;
    });
    await Promise.all([...heavy, light]);

    // assess: the light run took the first free thread. One FIFO in front of the threads made it
    // wait for every heavy run queued before it to start (about 20 ended before it did).
    expect(lightDoneAfter).toBeLessThanOrEqual(pool.threads);
    expect(heavyDone).toHaveLength(24);
  });

  it("dispatches a light model's run at once while heavy runs hold the other thread: none of them ends first", async () => {
    // prepare: a pool of its own (no history), each model measured by one run, then a heavy backlog
    const own = new WorkerPool({ threads: 2 });
    try {
      for (const s of [detection, vad]) for (const reply of await own.warm(s)) expect(reply.ok).toBe(true);
      expect((await own.run(detection, { x: page() })).ok).toBe(true);
      expect((await own.run(vad, frame())).ok).toBe(true);
      let heavyDone = 0;

      // act: 4 heavy runs queued, then the light one
      const heavy = Array.from({ length: 4 }, () => own.run(detection, { x: page() }).then(() => heavyDone++));
      const queuedBehind = own.queued;
      const light = await own.run(vad, frame());
      const doneBeforeLight = heavyDone;
      await Promise.all(heavy);

      // assess: the heavy backlog left one thread free (3 of 4 waited), and the light run took it
      // without waiting for any heavy run to end (with the threads shared first come, it waited for one)
      expect(queuedBehind).toBe(3);
      expect(light.ok).toBe(true);
      expect(doneBeforeLight).toBe(0);
    } finally {
      await own.close();
    }
  });

  it("moves a run's feeds to its thread instead of cloning them on the HTTP thread, and answers the same", async () => {
    // prepare
    const feeds = frame();
    const copy = frame();

    // act
    const moved = await pool.run(vad, feeds);

    // assess: the sender's buffers are detached (moved, not copied); the answer is the one a clone gets
    expect(feeds.input.data.byteLength).toBe(0);
    expect(moved.ok && copy.input.data.byteLength).toBe(576 * 4);
    const cloned = await pool.run(vad, { ...copy, input: { ...copy.input, data: copy.input.data.slice() } });
    expect(moved.ok && cloned.ok && [...(moved.outputs.output!.data as Float32Array)]).toEqual(
      cloned.ok && [...(cloned.outputs.output!.data as Float32Array)],
    );
  });

  it("runs the priority lane at the workers' nice and the other lanes 9 steps lower (Linux, per thread)", () => {
    // prepare: the threads of this process with their nice values (field 19 of /proc/self/task/<tid>/stat)
    if (process.platform !== 'linux') return;
    const base = getPriority();
    const nices = readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    });

    // assess: lane 0 at DEFAULT_WORKER_NICE (10) above this process, lane 1 at 19 (the cap). At 5
    // steps (weights 110 : 36) a VAD run beside OCR's took ~2x its idle time on 2 cores; at 9 (110 : 15)
    // the light lane keeps ~88 % of a shared core.
    expect(nices).toContain(Math.min(19, base + DEFAULT_WORKER_NICE));
    expect(nices).toContain(Math.min(19, base + DEFAULT_WORKER_NICE + HEAVY_LANE_EXTRA_NICE));
    expect(HEAVY_LANE_EXTRA_NICE).toBe(9);
  });

  it('runs a voice-activity clip as one inference task, with the same probabilities as in-process (Lambda) runs', async () => {
    // prepare: serve with the VAD pipeline; the in-process runner runs the loop frame by frame
    const server = await startTestServer(
      { workers: 2, models: { vad: { weights: REAL_MODELS.sileroVad, pipeline: 'voiceActivity', intraOpThreads: 1 } } },
      { resolvePipeline: getPipeline },
    );
    try {
      const wav = readFileSync(SPEECH_WAV);
      const tasks = async () => metricValue(await server.metrics.text(), 'onnxless_inference_duration_seconds_count', { model: 'vad' });
      const before = await tasks();

      // act
      const reply = await call(server.url, 'POST', '/models/vad/predict?probabilities=true', wav, { 'content-type': 'audio/wav' });
      const inProcess = await pipelines.voiceActivity.predict(
        { contentType: 'audio/wav', body: wav, query: { probabilities: 'true' } },
        await directRunner(REAL_MODELS.sileroVad),
      );

      // assess: one task on the worker pool for the whole clip (frame by frame it was one per 32 ms frame)
      expect(reply.status).toBe(200);
      const served = reply.json<VoiceActivityResult>();
      expect(served.probabilities!.length).toBeGreaterThan(100);
      expect((await tasks()) - before).toBe(1);
      expect(served).toEqual(inProcess);
    } finally {
      await server.drain(5000);
    }
  });

  it('runs a model with workers of its own beside a busy shared pool, without waiting for its runs', async () => {
    // prepare: one shared thread, and one of the VAD model's own (Triton's instance groups)
    const server = await startTestServer(
      { workers: 1, models: { vad: { weights: REAL_MODELS.sileroVad, pipeline: 'voiceActivity', workers: 1, intraOpThreads: 1 } } },
      { resolvePipeline: getPipeline },
    );
    try {
      const wav = readFileSync(SPEECH_WAV);
      const predict = () => call(server.url, 'POST', '/models/vad/predict', wav, { 'content-type': 'audio/wav' });
      expect((await predict()).status).toBe(200);
      const bigPage = (): WireTensor => ({ type: 'float32', dims: [1, 3, 960, 960], data: new Float32Array(3 * 960 * 960).fill(0.5) });
      expect((await server.pool.run(detection, { x: bigPage() })).ok).toBe(true);
      let heavyDone = 0;

      // act: a backlog of page-sized detection runs on the shared thread, then a VAD request
      const heavy = Array.from({ length: 4 }, () => server.pool.run(detection, { x: bigPage() }).then(() => heavyDone++));
      const reply = await predict();
      const doneBeforeLight = heavyDone;
      await Promise.all(heavy);

      // assess: the clip ran on its own thread while the first page was still running (on the
      // shared pool it would have waited for that run: one heavy run)
      expect(reply.status).toBe(200);
      expect(doneBeforeLight).toBe(0);
    } finally {
      await server.drain(5000);
    }
  });
});
