/**
 * /ping under the heaviest preprocessing (issue 13 S2): `onnxless serve` as a process, two 6 MiB
 * WAVs at 383,999 Hz to the VAD route and eight 6 MB JSON tensors to OIP infer, all at once,
 * while /ping is probed every 20 ms; and the same probing with the server idle, as the baseline.
 *
 *   npx tsx bench/server/pingUnderPreprocessing.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigWav } from '../../test/integration/server/heavyRequests';
import { REAL_MODELS } from '../../test/support/realModels';
import { percentile, send, startServe } from './serveProcess';
import { MLP, mlpModel } from './mlpModel';

/** A small MLP: the JSON around it is the work, not the run. */
export const MLP_HIDDEN = 256;

/** An OIP JSON request for the MLP of about `bytes` bytes (6 MB: under the 6 MiB body limit). */
export function bigMlpJson(bytes = 6_000_000): string {
  const rows = Math.floor(bytes / (MLP.input * 21));
  const data = Array.from({ length: rows * MLP.input }, (_, i) => ((i * 7919) % 10_007) / 10_007 - 0.5);
  return JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, MLP.input], data }] });
}

export interface PingResult {
  idle: number[];
  busy: number[];
  heavyStatuses: number[];
  heavySeconds: number;
}

export async function measurePingUnderPreprocessing(options: { wavs?: number; jsons?: number } = {}): Promise<PingResult> {
  const dir = mkdtempSync(join(tmpdir(), 'onnxless-bench-ping-'));
  try {
    writeFileSync(join(dir, 'mlp.onnx'), mlpModel(MLP_HIDDEN));
    const config = {
      port: 0,
      host: '127.0.0.1',
      cacheDir: join(dir, 'cache'),
      modelDir: join(dir, 'no-model-dir'),
      models: { vad: { weights: REAL_MODELS.sileroVad, pipeline: 'voiceActivity' }, mlp: { weights: join(dir, 'mlp.onnx') } },
    };
    writeFileSync(join(dir, 'serve.json'), JSON.stringify(config));
    const server = await startServe(join(dir, 'serve.json'));
    try {
      const idle = await probe(server.url, () => false);
      const wav = bigWav();
      const json = bigMlpJson();
      let busy = true;
      const started = performance.now();
      const heavy = Promise.all([
        ...Array.from({ length: options.wavs ?? 2 }, () =>
          send(`${server.url}/models/vad/predict`, 'POST', wav, { 'content-type': 'audio/wav' }),
        ),
        ...Array.from({ length: options.jsons ?? 8 }, () => send(`${server.url}/v2/models/mlp/infer`, 'POST', json)),
      ]).finally(() => (busy = false));
      const busyPings = await probe(server.url, () => busy);
      const replies = await heavy;
      return { idle, busy: busyPings, heavyStatuses: replies.map((r) => r.status), heavySeconds: (performance.now() - started) / 1000 };
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** /ping every 20 ms while `more()`; at least 100 probes. */
async function probe(url: string, more: () => boolean): Promise<number[]> {
  const times: number[] = [];
  while (more() || times.length < 100) {
    times.push((await send(`${url}/ping`, 'GET')).ms);
    await new Promise((r) => setTimeout(r, 20));
  }
  return times;
}

export function pingSummary(times: readonly number[]): { p50: number; p99: number; max: number; over50: number; n: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    over50: sorted.filter((t) => t > 50).length,
    n: sorted.length,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await measurePingUnderPreprocessing();
  console.log(
    JSON.stringify(
      { idle: pingSummary(r.idle), busy: pingSummary(r.busy), heavyStatuses: r.heavyStatuses, heavySeconds: r.heavySeconds },
      null,
      2,
    ),
  );
}
