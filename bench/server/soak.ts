/**
 * Soak (issue 13 item 9): `onnxless serve` as a process under mixed traffic for a fixed time,
 * bounded in requests too: OIP JSON and binary tensors, the image and WAV domain routes,
 * malformed requests, aborted uploads; then SIGTERM. Reports 5xx answers, RSS over time, the
 * in-flight gauge at the end and the exit code.
 *
 *   npx tsx bench/server/soak.ts [--seconds 600] [--clients 6] [--max-requests 1000000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { bigWav } from '../../test/integration/server/heavyRequests';
import { REAL_MODELS } from '../../test/support/realModels';
import { MLP, mlpModel } from './mlpModel';
import { metric, metrics, send, startServe, type Answer } from './serveProcess';

export interface SoakOptions {
  seconds: number;
  clients: number;
  maxRequests: number;
  /** RSS sampling interval. */
  sampleSeconds: number;
}

export interface SoakResult {
  seconds: number;
  requests: number;
  byKind: Record<string, Record<string, number>>;
  fiveHundreds: number;
  /** [seconds since start, RSS MB] every sampleSeconds. */
  rss: Array<[number, number]>;
  /**
   * [seconds, main thread's V8 heap used MB, external MB] at the same instants: memory the main
   * thread's JavaScript holds, against RSS, which also counts the workers and native memory.
   */
  heap: Array<[number, number, number]>;
  /** The gauge minus the /metrics request that reads it. */
  inFlightAtEnd: number;
  exitCode: number | null;
  exitMs: number;
}

type Kind = 'oip-json' | 'oip-binary' | 'image' | 'wav' | 'malformed' | 'aborted-upload';

/** Share of each kind in the mix (sums to 1). */
const MIX: ReadonlyArray<[Kind, number]> = [
  ['oip-json', 0.3],
  ['oip-binary', 0.2],
  ['image', 0.15],
  ['wav', 0.1],
  ['malformed', 0.15],
  ['aborted-upload', 0.1],
];

const HIDDEN = 256;

export async function soak(options: SoakOptions): Promise<SoakResult> {
  const dir = mkdtempSync(join(tmpdir(), 'onnxless-bench-soak-'));
  try {
    writeFileSync(join(dir, 'mlp.onnx'), mlpModel(HIDDEN));
    const config = {
      port: 0,
      host: '127.0.0.1',
      cacheDir: join(dir, 'cache'),
      modelDir: join(dir, 'no-model-dir'),
      models: {
        mlp: { weights: join(dir, 'mlp.onnx'), batching: { maxBatchSize: 8, maxQueueDelayMs: 2 } },
        orientation: { weights: REAL_MODELS.textOrientation, pipeline: 'textOrientation' },
        vad: { weights: REAL_MODELS.sileroVad, pipeline: 'voiceActivity' },
      },
    };
    writeFileSync(join(dir, 'serve.json'), JSON.stringify(config));
    const server = await startServe(join(dir, 'serve.json'));
    const requests = await requestKinds();
    const byKind: SoakResult['byKind'] = {};
    const rss: Array<[number, number]> = [];
    const heap: Array<[number, number, number]> = [];
    const sample = async () => {
      const t = Math.round(elapsed());
      const names = [
        'onnxless_process_resident_memory_bytes',
        'onnxless_nodejs_heap_size_used_bytes',
        'onnxless_nodejs_external_memory_bytes',
      ];
      const [resident = 0, heapUsed = 0, external = 0] = (await metrics(server.url, names)).map((bytes) => Math.round(bytes / 2 ** 20));
      rss.push([t, resident]);
      heap.push([t, heapUsed, external]);
    };
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    let sent = 0;
    let stop = false;
    let random = 20_261_201;
    const next = () => (random = (Math.imul(random, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32;

    const sampler = (async () => {
      while (!stop) {
        await sample();
        await sleep(options.sampleSeconds * 1000, () => stop);
      }
    })();
    const clients = Array.from({ length: options.clients }, async () => {
      while (!stop && sent < options.maxRequests && elapsed() < options.seconds) {
        sent++;
        const kind = pick(next());
        const status = await requests[kind](server.url, next());
        const counts = (byKind[kind] ??= {});
        counts[status] = (counts[status] ?? 0) + 1;
      }
    });
    await Promise.all(clients);
    stop = true;
    await sampler;
    await sample();
    const inFlightAtEnd = (await metric(server.url, 'onnxless_requests_in_flight')) - 1;
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    const exitCode = await server.exited;
    const exitMs = performance.now() - signalled;
    const fiveHundreds = Object.values(byKind).reduce(
      (sum, counts) =>
        sum +
        Object.entries(counts)
          .filter(([s]) => Number(s) >= 500)
          .reduce((a, [, n]) => a + n, 0),
      0,
    );
    return { seconds: elapsed(), requests: sent, byKind, fiveHundreds, rss, heap, inFlightAtEnd, exitCode, exitMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function pick(u: number): Kind {
  let acc = 0;
  for (const [kind, share] of MIX) if (u < (acc += share)) return kind;
  return MIX[0]![0];
}

/** Each kind of request, returning the status as a string ('aborted' for an upload given up). */
async function requestKinds(): Promise<Record<Kind, (url: string, u: number) => Promise<string>>> {
  const row = Array.from({ length: MLP.input }, (_, i) => Math.sin(i));
  const json = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, MLP.input], data: row }] });
  const tensor = Buffer.from(Float32Array.from(row).buffer);
  const header = Buffer.from(
    JSON.stringify({
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, MLP.input], parameters: { binary_data_size: tensor.length } }],
      parameters: { binary_data_output: true },
    }),
  );
  const binary = Buffer.concat([header, tensor]);
  const png = await sharp({ create: { width: 192, height: 48, channels: 3, background: { r: 250, g: 250, b: 250 } } })
    .png()
    .toBuffer();
  // Two seconds at 16 kHz, and now and then the review's worst: 256 KiB at 383,999 Hz.
  const wav = bigWav(64 * 1024, 16_000);
  const oddWav = bigWav(256 * 1024);
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
  const status = (a: Answer) => String(a.status);
  const malformed: Array<(url: string) => Promise<Answer | string>> = [
    (url) => send(`${url}/v2/models/mlp/infer`, 'POST', '{"inputs": [', {}),
    (url) => send(`${url}/v2/models/nope/infer`, 'POST', json),
    (url) => send(`${url}/v2/models/mlp/infer`, 'GET'),
    (url) => send(`${url}/models/orientation/predict`, 'POST', svg, { 'content-type': 'image/png' }),
    (url) => send(`${url}/models/vad/predict`, 'POST', Buffer.from('RIFF junk'), { 'content-type': 'audio/wav' }),
    (url) => rawStatus(url, 'GET // HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'),
    (url) => rawStatus(url, 'GET /ping HTTP/1.1 junk\r\n\r\n'),
  ];
  return {
    'oip-json': async (url) => status(await send(`${url}/v2/models/mlp/infer`, 'POST', json)),
    'oip-binary': async (url) =>
      status(
        await send(`${url}/v2/models/mlp/infer`, 'POST', binary, {
          'content-type': 'application/octet-stream',
          'inference-header-content-length': String(header.length),
        }),
      ),
    image: async (url) => status(await send(`${url}/models/orientation/predict`, 'POST', png, { 'content-type': 'image/png' })),
    wav: async (url, u) =>
      status(await send(`${url}/models/vad/predict`, 'POST', u < 0.02 ? oddWav : wav, { 'content-type': 'audio/wav' })),
    malformed: async (url, u) => {
      const answer = await malformed[Math.floor(u * malformed.length)]!(url);
      return typeof answer === 'string' ? answer : status(answer);
    },
    'aborted-upload': (url) => abortedUpload(url),
  };
}

/** The status line of a raw exchange (bytes no client library would send). */
function rawStatus(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    let text = '';
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => done(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? '0'));
  });
}

/** Declares 200 kB, sends 8 kB, waits for the server to be reading, then resets. */
function abortedUpload(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write('POST /v2/models/mlp/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 200000\r\n\r\n');
      socket.write(Buffer.alloc(8_000, 0x20), () => setTimeout(() => socket.resetAndDestroy(), 20));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => done('aborted'));
  });
}

function sleep(ms: number, stop: () => boolean): Promise<void> {
  return new Promise((r) => {
    const until = performance.now() + ms;
    const tick = () => (stop() || performance.now() >= until ? r() : setTimeout(tick, 100));
    tick();
  });
}

export function parseSoakArgs(argv: readonly string[]): SoakOptions {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : undefined;
  };
  return {
    seconds: get('--seconds') ?? 600,
    clients: get('--clients') ?? 6,
    maxRequests: get('--max-requests') ?? 1_000_000,
    sampleSeconds: get('--sample-seconds') ?? 10,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await soak(parseSoakArgs(process.argv.slice(2))), null, 2));
}
