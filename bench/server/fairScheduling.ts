/**
 * A light model beside heavy ones (issue 27 item 3): `onnxless serve` as a process with the OCR
 * pipeline (detection, orientation, recognition), Silero VAD and a 6 MB-JSON MLP. A 4 s WAV to
 * the VAD route is timed with the server idle, beside 2 OCR clients, and in an 8-client mix
 * (3 OCR pages, 3 large JSON infers, 2 VAD clients), while /ping is probed every 20 ms. Every
 * answer's status is kept: the count of 5xx is part of the result.
 *
 *   npx tsx bench/server/fairScheduling.ts
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXAMPLE_MODELS } from '../../lib/tools/local/exampleWeights';
import { renderPage, twentyLineSpecs } from '../../test/integration/pipelines/ocrPage';
import { bigWav } from '../../test/integration/server/heavyRequests';
import { bigMlpJson, MLP_HIDDEN, pingSummary } from './pingUnderPreprocessing';
import { mlpModel } from './mlpModel';
import { percentile, send, startServe, type Answer } from './serveProcess';

/** A 4 s clip at 16 kHz: the issue's light request (~150 ms idle before this change). */
const VAD_SECONDS = 4;
const RATE = 16_000;

export interface Phase {
  /** VAD request times, ms. */
  vad: number[];
  /** /ping times during the phase, ms. */
  ping: number[];
  /** Status of every answer in the phase, by route. */
  statuses: Record<string, number[]>;
  seconds: number;
  /** Per model over the phase, from /metrics: tasks on the inference threads, mean wait for a thread and mean run, ms. */
  tasks: Record<string, { tasks: number; waitMs: number; runMs: number }>;
}

export interface FairSchedulingResult {
  idle: Phase;
  /** 2 OCR clients and nothing else, for OCR's own throughput (a heavy model alone must keep every thread). */
  ocrAlone: Phase;
  besideOcr: Phase;
  mix: Phase;
}

/** OCR pages answered per second in a phase. */
export function ocrPagesPerSecond(phase: Phase): number {
  return (phase.statuses.ocr?.filter((s) => s === 200).length ?? 0) / phase.seconds;
}

/** How long the OCR-alone phase runs: long enough for ~10 pages at a page a second. */
const OCR_ALONE_SECONDS = 10;

export interface FairSchedulingOptions {
  /** VAD samples per phase (default 12); a phase also ends after `maxPhaseSeconds` with at least 3. */
  samples?: number;
  maxPhaseSeconds?: number;
  /** Progress, one line per phase. */
  log?: (message: string) => void;
  /** Inference threads of the VAD model's own (its entry's `workers`); default: the shared pool. */
  vadWorkers?: number;
}

export async function measureFairScheduling(options: FairSchedulingOptions = {}): Promise<FairSchedulingResult> {
  const samples = options.samples ?? 40;
  const maxSeconds = options.maxPhaseSeconds ?? 90;
  const dir = mkdtempSync(join(tmpdir(), 'onnxless-bench-fair-'));
  try {
    const server = await startServe(writeConfig(dir, options.vadWorkers));
    try {
      const wav = bigWav(44 + VAD_SECONDS * RATE * 2, RATE);
      const page = (await renderPage(twentyLineSpecs())).png;
      const json = bigMlpJson();
      const clients = {
        vad: () => send(`${server.url}/models/vad/predict`, 'POST', wav, { 'content-type': 'audio/wav' }),
        ocr: () => send(`${server.url}/models/ocr/predict`, 'POST', page, { 'content-type': 'image/png' }),
        json: () => send(`${server.url}/v2/models/mlp/infer`, 'POST', json),
      };
      // Warm every model and the processing threads once, untimed.
      for (const warm of Object.values(clients)) await Promise.all([warm(), warm()]);
      const phase = async (name: string, background: Array<keyof typeof clients>, vadClients: number) => {
        const p = await runPhase(server.url, clients, background, vadClients, vadClients === 0 ? 0 : samples, maxSeconds);
        options.log?.(
          `fair-scheduling ${name}: VAD p50 ${median(p.vad).toFixed(0)} ms (n ${p.vad.length}), OCR ${ocrPagesPerSecond(p).toFixed(2)} pages/s, /ping p99 ${pingSummary(p.ping).p99.toFixed(1)} ms, 5xx ${count5xx(p)}, ${p.seconds.toFixed(0)} s; per model tasks / mean wait / mean run: ${Object.entries(
            p.tasks,
          )
            .map(([m, t]) => `${m} ${t.tasks} / ${t.waitMs.toFixed(0)} / ${t.runMs.toFixed(0)} ms`)
            .join(', ')}`,
        );
        return p;
      };
      const idle = await phase('idle', [], 1);
      const ocrAlone = await phase('OCR alone', ['ocr', 'ocr'], 0);
      const besideOcr = await phase('beside 2 OCR clients', ['ocr', 'ocr'], 1);
      const mix = await phase('8-client mix', ['ocr', 'ocr', 'ocr', 'json', 'json', 'json'], 2);
      return { idle, ocrAlone, besideOcr, mix };
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The OCR members as model directories (model.onnx and its companions), the VAD model and the MLP. */
function writeConfig(dir: string, vadWorkers: number | undefined): string {
  const models: Record<string, unknown> = {};
  for (const name of ['ocr-detection', 'ocr-orientation', 'ocr-recognition', 'voice-activity']) {
    const modelDir = join(dir, 'models', name);
    mkdirSync(modelDir, { recursive: true });
    for (const file of EXAMPLE_MODELS[name]!) copyFileSync(file.from, join(modelDir, file.path));
    models[name === 'voice-activity' ? 'vad' : name] = { weights: modelDir };
  }
  models.vad = { ...(models.vad as object), pipeline: 'voiceActivity', ...(vadWorkers === undefined ? {} : { workers: vadWorkers }) };
  writeFileSync(join(dir, 'mlp.onnx'), mlpModel(MLP_HIDDEN));
  models.mlp = { weights: join(dir, 'mlp.onnx') };
  const config = {
    port: 0,
    host: '127.0.0.1',
    cacheDir: join(dir, 'cache'),
    modelDir: join(dir, 'no-model-dir'),
    models,
    pipelines: {
      ocr: { pipeline: 'ocr', models: { detection: 'ocr-detection', orientation: 'ocr-orientation', recognition: 'ocr-recognition' } },
    },
  };
  writeFileSync(join(dir, 'serve.json'), JSON.stringify(config));
  return join(dir, 'serve.json');
}

/**
 * Closed-loop clients: each background client sends its request again as soon as it is answered;
 * `vadClients` do the same with the WAV until `samples` VAD answers are in (or the time is up).
 * With no VAD client, the phase runs OCR_ALONE_SECONDS after the head start.
 */
async function runPhase(
  url: string,
  clients: Record<string, () => Promise<Answer>>,
  background: readonly string[],
  vadClients: number,
  samples: number,
  maxSeconds: number,
): Promise<Phase> {
  const before = await taskSeries(url);
  const statuses: Record<string, number[]> = {};
  const record = (route: string, answer: Answer) => (statuses[route] ??= []).push(answer.status);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const vad: number[] = [];
  let running = true;
  const enough = () =>
    vadClients === 0 ? elapsed() > 2 + OCR_ALONE_SECONDS : vad.length >= samples || (elapsed() > maxSeconds && vad.length >= 3);
  const loop = async (route: string, onAnswer?: (a: Answer) => void) => {
    while (running) {
      const answer = await clients[route]!();
      record(route, answer);
      onAnswer?.(answer);
    }
  };
  const backgroundDone = Promise.all(background.map((route) => loop(route)));
  // The background load gets a head start, so the first VAD request meets full queues.
  if (background.length > 0) await new Promise((r) => setTimeout(r, 2000));
  const vadDone = Promise.all(
    Array.from({ length: vadClients }, () =>
      loop('vad', (a) => {
        vad.push(a.ms);
        if (enough()) running = false;
      }),
    ),
  );
  const ping: number[] = [];
  while (running) {
    if (enough()) running = false;
    const answer = await send(`${url}/ping`, 'GET');
    record('ping', answer);
    ping.push(answer.ms);
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all([backgroundDone, vadDone]);
  const seconds = elapsed();
  const after = await taskSeries(url);
  const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
  const models = new Set([...after.keys()].map((k) => k.split(' ')[1]!));
  const tasks = Object.fromEntries(
    [...models].map((m) => {
      const n = delta(`run_count ${m}`);
      const waits = delta(`wait_count ${m}`);
      return [
        m,
        { tasks: n, waitMs: waits ? (1000 * delta(`wait_sum ${m}`)) / waits : 0, runMs: n ? (1000 * delta(`run_sum ${m}`)) / n : 0 },
      ];
    }),
  );
  return { vad, ping, statuses, seconds, tasks };
}

/** `<run|wait>_<sum|count> <model>` -> value, from one scrape of /metrics (the worker-wait series is absent before issue 27). */
async function taskSeries(url: string): Promise<Map<string, number>> {
  const text = (await send(`${url}/metrics`, 'GET')).body.toString();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^onnxless_(inference_duration|worker_wait)_seconds_(sum|count)\{model="([^"]+)"\} (\S+)$/.exec(line);
    if (m) series.set(`${m[1] === 'worker_wait' ? 'wait' : 'run'}_${m[2]} ${m[3]}`, Number(m[4]));
  }
  return series;
}

export function count5xx(phase: Phase): number {
  return Object.values(phase.statuses)
    .flat()
    .filter((s) => s >= 500 || s === 0).length;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const vadWorkers = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  const r = await measureFairScheduling({ log: console.log, vadWorkers });
  const line = (name: string, p: Phase) => ({
    phase: name,
    vadP50: median(p.vad),
    ratio: median(p.vad) / median(r.idle.vad),
    pingP99: pingSummary(p.ping).p99,
    errors5xx: count5xx(p),
    statuses: Object.fromEntries(Object.entries(p.statuses).map(([k, v]) => [k, v.length])),
    seconds: p.seconds,
  });
  console.table([line('idle', r.idle), line('beside 2 OCR', r.besideOcr), line('8-client mix', r.mix)]);
  console.log(
    `OCR alone: ${ocrPagesPerSecond(r.ocrAlone).toFixed(2)} pages/s; beside VAD: ${ocrPagesPerSecond(r.besideOcr).toFixed(2)} pages/s`,
  );
}
