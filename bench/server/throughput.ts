/**
 * Server throughput with dynamic batching on and off (issue 7).
 *
 *   npx tsx bench/server/throughput.ts [--clients 32] [--seconds 10] [--workers N] [--hidden 4096]
 *                                      [--max-batch 32] [--delay-ms 2]
 *
 * Starts `node bin/onnxless.mjs serve` (a real process, as the GPU image does) once per mode
 * with a generated MLP, drives it from this process with N closed-loop clients (one request of
 * one row in flight each), and pings /ping every 20 ms throughout. Reports requests/s, latency
 * p50/p99, /ping p50/p99/max, and the mean batch from the server's own /metrics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MLP, mlpModel } from './mlpModel';

const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));

export interface Options {
  clients: number;
  seconds: number;
  warmupSeconds: number;
  workers?: number;
  hidden: number;
  maxBatch: number;
  delayMs: number;
}

export function parseArgs(argv: string[]): Options {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  return {
    clients: get('--clients') ?? 32,
    seconds: get('--seconds') ?? 10,
    warmupSeconds: get('--warmup') ?? 2,
    workers: get('--workers'),
    hidden: get('--hidden') ?? MLP.hidden,
    maxBatch: get('--max-batch') ?? 32,
    delayMs: get('--delay-ms') ?? 2,
  };
}

export interface ModeResult {
  mode: string;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  pingP50: number;
  pingP99: number;
  pingMax: number;
  meanBatch: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(url: string, method: string, body?: Buffer): Promise<{ status: number; ms: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const req = request(
      url,
      { method, agent, headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function startServer(configPath: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('node', ['bin/onnxless.mjs', 'serve', '--config', configPath], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolveUrl, reject) => {
    // Read until the listening line, then drop the rest unread: the server's request log lines
    // (two a request) go to this pipe, and a reader that kept splitting the whole growing text
    // fell behind, so the server's synchronous writes to the full pipe held its HTTP thread.
    const onData = (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.includes('"message":"listening"'));
      if (!line) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolveUrl((JSON.parse(line) as { url: string }).url);
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  for (;;) {
    const ping = await send(`${url}/ping`, 'GET').catch(() => ({ status: 0 }));
    if (ping.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url };
}

export async function runMode(mode: string, modelPath: string, options: Options, batching: boolean, dir: string): Promise<ModeResult> {
  const config = {
    port: 0,
    host: '127.0.0.1',
    ...(options.workers ? { workers: options.workers } : {}),
    cacheDir: join(dir, 'cache'),
    modelDir: join(dir, 'no-model-dir'),
    models: {
      mlp: {
        weights: modelPath,
        maxQueueSize: 1024,
        batching: batching ? { maxBatchSize: options.maxBatch, maxQueueDelayMs: options.delayMs } : { maxBatchSize: 1 },
      },
    },
  };
  const configPath = join(dir, `${mode}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const { child, url } = await startServer(configPath);
  const body = Buffer.from(
    JSON.stringify({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, MLP.input], data: Array.from({ length: MLP.input }, (_, i) => Math.sin(i)) }],
    }),
  );
  const infer = `${url}/v2/models/mlp/infer`;

  const run = { phase: 'warmup' as 'warmup' | 'measure' | 'stop' };
  const latencies: number[] = [];
  const pings: number[] = [];
  let errors = 0;
  const clients = Array.from({ length: options.clients }, async () => {
    while (run.phase !== 'stop') {
      const r = await send(infer, 'POST', body);
      if (run.phase !== 'measure') continue;
      if (r.status === 200) latencies.push(r.ms);
      else errors++;
    }
  });
  const pinger = (async () => {
    while (run.phase !== 'stop') {
      const r = await send(`${url}/ping`, 'GET');
      if (run.phase === 'measure') pings.push(r.ms);
      await new Promise((res) => setTimeout(res, 20));
    }
  })();

  await new Promise((r) => setTimeout(r, options.warmupSeconds * 1000));
  const before = await batchStats(url);
  run.phase = 'measure';
  const started = performance.now();
  await new Promise((r) => setTimeout(r, options.seconds * 1000));
  run.phase = 'stop';
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all([...clients, pinger]);
  const after = await batchStats(url);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  latencies.sort((a, b) => a - b);
  pings.sort((a, b) => a - b);
  return {
    mode,
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    pingP50: percentile(pings, 50),
    pingP99: percentile(pings, 99),
    pingMax: pings.at(-1) ?? NaN,
    meanBatch: (after.requests - before.requests) / Math.max(1, after.runs - before.runs),
  };
}

async function batchStats(url: string): Promise<{ runs: number; requests: number }> {
  const text = await new Promise<string>((resolveText, reject) => {
    request(`${url}/metrics`, { agent }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolveText(data));
    })
      .on('error', reject)
      .end();
  });
  const value = (name: string) => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${name}{`)) ?? '')?.[2] ?? 0);
  return { runs: value('onnxless_batch_requests_count'), requests: value('onnxless_batch_requests_sum') };
}

/** Both modes, batching off then on, on one generated MLP: what the bench scenario reports. */
export async function measureBatching(options: Options): Promise<{ off: ModeResult; on: ModeResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'onnxless-bench-server-'));
  try {
    const modelPath = join(dir, 'mlp.onnx');
    writeFileSync(modelPath, mlpModel(options.hidden));
    const off = await runMode('batching off', modelPath, options, false, dir);
    const on = await runMode('batching on', modelPath, options, true, dir);
    return { off, on };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run as a script (not when imported by `npm run bench`).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = parseArgs(process.argv.slice(2));
  console.log(
    `model: MLP ${MLP.input}-${options.hidden}-${options.hidden}-${MLP.output} (float32); ${options.clients} clients, one row per request, ` +
      `${options.seconds} s per mode after ${options.warmupSeconds} s warm-up; batching on = max ${options.maxBatch} rows, ${options.delayMs} ms delay`,
  );
  const { off, on } = await measureBatching(options);
  const row = (r: ModeResult) =>
    `| ${r.mode.padEnd(12)} | ${r.rps.toFixed(0).padStart(7)} | ${r.p50.toFixed(1).padStart(7)} | ${r.p99.toFixed(1).padStart(7)} | ${r.meanBatch.toFixed(1).padStart(10)} | ${r.pingP50.toFixed(1).padStart(9)} | ${r.pingP99.toFixed(1).padStart(9)} | ${r.pingMax.toFixed(1).padStart(9)} | ${String(r.errors).padStart(6)} |`;
  console.log('| mode         |   req/s | p50 ms  | p99 ms  | mean batch | ping p50  | ping p99  | ping max  | errors |');
  console.log('|--------------|---------|---------|---------|------------|-----------|-----------|-----------|--------|');
  console.log(row(off));
  console.log(row(on));
  console.log(
    `throughput x${(on.rps / off.rps).toFixed(2)}, p99 latency x${(on.p99 / off.p99).toFixed(2)} (target: throughput >= 2x at p99 <= 2x)`,
  );
}
