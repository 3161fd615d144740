import { runChild, type ChildResult } from '../lib/children';
import { row, side, type Log, type Row } from '../lib/rows';
import { BUCKET, type World } from '../lib/world';
import { pushManyModels } from '../../test/support/repositoryPush';
import { parseRepositoryIndex } from '../../lib/core/repository/RepositoryIndex';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { send, startServe } from '../server/serveProcess';

const PREFIX = `s3://${BUCKET}/repository/`;
/** Models in the repository: one to warm it, one measured cold, the rest loaded for the memory figure. */
const MODELS = 102;
const HITS = 200;
/** Requests untimed before the hits: both functions past V8's optimisation of the request path (it lands after ~20-40 calls). */
const WARMUP = 300;

/**
 * Issue 29: a model repository's function against single-model functions, on the local S3
 * server, each run a fresh process (Lambda's sandbox):
 * - cold load of one small model in a warm repository function (its first request) against a
 *   cold single-model function's first answer for the same model (process start included: what
 *   a new model costs either way);
 * - a loaded model's request in the repository against the single-model function's warm request;
 * - resident memory per loaded model in the repository (RSS after 100 more loads, per model)
 *   against a whole single-model function's RSS (what each model costs as a function of its own);
 * - on `onnxless serve`, a loaded model's p50 while other models load cold against its idle p50
 *   (hotWhileLoading).
 */
export async function repositoryScenario(world: World, reps: number, log: Log): Promise<Row[]> {
  const names = Array.from({ length: MODELS }, (_, i) => `m${i}`);
  await pushManyModels(world.s3.setupClient, PREFIX, names);
  const index = await world.s3.setupClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'repository/index.json' }));
  const measured = parseRepositoryIndex(await index.Body!.transformToString(), 'index').models.m1!;
  const repository: ChildResult[] = [];
  const single: ChildResult[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const cacheDir = world.scratch();
    repository.push(
      await runChild(
        'repositoryFunction',
        { warmModel: 'm0', coldModel: 'm1', hits: HITS, warmup: WARMUP, residentModels: names.slice(2), pairedSingle: true },
        {
          ...world.s3Env(),
          // The single-model function's own settings, for the hits timed in the same process.
          ONNXLESS_MODEL_NAME: 'm1',
          ONNXLESS_MODEL_URI: `${PREFIX}${measured.directory}`,
          ONNXLESS_MODEL_SHA256: measured.sha256,
          ONNXLESS_REPOSITORY_NAME: 'bench',
          ONNXLESS_REPOSITORY_PREFIX: PREFIX,
          ONNXLESS_CACHE_DIR: cacheDir,
          ONNXLESS_LOG_FORMAT: 'compact',
        },
      ),
    );
    world.cleanup(cacheDir);
    const singleDir = world.scratch();
    single.push(
      await runChild(
        'singleModelFunction',
        { model: 'm1', hits: HITS, warmup: WARMUP },
        {
          ...world.s3Env(),
          ONNXLESS_MODEL_NAME: 'm1',
          ONNXLESS_MODEL_URI: `${PREFIX}${measured.directory}`,
          ONNXLESS_MODEL_SHA256: measured.sha256,
          ONNXLESS_CACHE_DIR: singleDir,
          ONNXLESS_LOG_FORMAT: 'compact',
        },
      ),
    );
    world.cleanup(singleDir);
    log(
      `repository rep ${rep + 1}/${reps}: cold load ${Math.round(repository.at(-1)!.elapsedMs)} ms in the warm repository, ${Math.round(single.at(-1)!.elapsedMs)} ms cold single-model`,
    );
  }
  const hits = (results: ChildResult[], key: 'hitMs' | 'singleHitMs') => results.map((r) => median(r[key] as number[]));
  const serve = await hotWhileLoading(world, reps, log);
  return [
    row({
      scenario: 'repository',
      model: 'add-constant',
      metric: "a new model's first answer: cold load in a warm repository function vs a cold single-model function",
      unit: 'ms',
      candidate: side(
        'repository, cold load',
        repository.map((r) => r.elapsedMs),
      ),
      baseline: side(
        'single-model function, cold start',
        single.map((r) => r.elapsedMs),
      ),
      target: 'ratio < 1',
      check: (r) => r.ratio < 1,
    }),
    row({
      scenario: 'repository',
      model: 'add-constant',
      metric: `a loaded model's request (median of ${HITS}, after ${WARMUP} untimed; both functions' handlers in one process, calls alternated)`,
      unit: 'ms',
      candidate: side('repository, hit', hits(repository, 'hitMs')),
      baseline: side('single-model function, warm', hits(repository, 'singleHitMs')),
      target: 'ratio <= 1.2',
      check: (r) => r.ratio <= 1.2,
    }),
    row({
      scenario: 'repository',
      model: 'add-constant',
      metric: `resident memory per loaded model (${MODELS - 2} loaded) vs a whole function's`,
      unit: 'MB',
      candidate: side(
        'repository, RSS per loaded model',
        repository.map((r) => (r.rssPerModelBytes as number) / 2 ** 20),
      ),
      baseline: side(
        'single-model function, RSS',
        single.map((r) => (r.rssBytes as number) / 2 ** 20),
      ),
    }),
    row({
      scenario: 'repository',
      model: 'add-constant, onnxless serve',
      metric: `a loaded model's p50 while ${LOADER_CLIENTS} clients load other models cold, vs idle (same server)`,
      unit: 'ms',
      candidate: side(
        'hot model, others loading cold',
        serve.map((r) => median(r.loading)),
      ),
      baseline: side(
        'hot model, idle',
        serve.map((r) => median(r.idle)),
      ),
      target: 'ratio <= 1.2',
      check: (r) => r.ratio <= 1.2,
      note: `cold loads per window ${serve.map((r) => r.loadsPerWindow.join('/')).join(', ')}; cold load p50 ${serve.map((r) => median(r.coldMs).toFixed(0)).join(', ')} ms`,
      details: { runs: serve },
    }),
  ];
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const SERVE_PREFIX = `s3://${BUCKET}/repository-serve/`;
/** Idle and loading windows, alternating, per server process. */
const WINDOWS = 3;
/** Requests of the hot model per idle window. */
const IDLE_REQUESTS = 300;
/** Models each loader client loads cold per loading window. */
const COLD_PER_CLIENT = 10;
const LOADER_CLIENTS = 2;
const INFER = JSON.stringify({ inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [0, 1, 2] }] });

interface ServeRun {
  idle: number[];
  loading: number[];
  coldMs: number[];
  loadsPerWindow: number[];
}

/**
 * Issue 29 on `onnxless serve` (a fresh `onnxless serve --config` process per rep, the
 * repository on the local S3 server): one client calling a loaded model in a closed loop, in
 * windows alternating idle (the hot model alone) and loading (LOADER_CLIENTS more clients each
 * asking for models never loaded, one after another: download, pin check, session creation on
 * the worker threads). The hot model's requests during the loads against its idle ones.
 */
async function hotWhileLoading(world: World, reps: number, log: Log): Promise<ServeRun[]> {
  const cold = (rep: number, window: number, client: number, k: number) => `c${rep}-${window}-${client}-${k}`;
  const names = ['hot'];
  for (let rep = 0; rep < reps; rep++)
    for (let w = 0; w < WINDOWS; w++)
      for (let c = 0; c < LOADER_CLIENTS; c++) for (let k = 0; k < COLD_PER_CLIENT; k++) names.push(cold(rep, w, c, k));
  await pushManyModels(world.s3.setupClient, SERVE_PREFIX, names);
  const runs: ServeRun[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const dir = world.scratch();
    const config = join(dir, 'serve.json');
    writeFileSync(
      config,
      JSON.stringify({ host: '127.0.0.1', port: 0, cacheDir: join(dir, 'cache'), repository: { name: 'bench', prefix: SERVE_PREFIX } }),
    );
    // The server reads the local S3 server's endpoint and keys from its environment, as `serve --local` does.
    const saved = { ...process.env };
    Object.assign(process.env, world.s3Env());
    const server = await startServe(config).finally(() => {
      for (const key of Object.keys(world.s3Env())) if (saved[key] === undefined) delete process.env[key];
      Object.assign(process.env, saved);
    });
    const call = async (url: string) => {
      const answer = await send(url, 'POST', INFER);
      if (answer.status !== 200) throw new Error(`${url} answered ${answer.status}: ${answer.body.toString()}`);
      return answer.ms;
    };
    // The hot model's client is a process of its own: this one also runs the S3 server the loads
    // read from, whose work would otherwise delay the hot client's own timing.
    const hot = new HotClient(`${server.url}/v2/models/hot/infer`);
    try {
      await hot.count(100); // loaded, and its turns measured
      const run: ServeRun = { idle: [], loading: [], coldMs: [], loadsPerWindow: [] };
      for (let w = 0; w < WINDOWS; w++) {
        const idle = await hot.count(IDLE_REQUESTS);
        const looping = hot.loop();
        await Promise.all(
          Array.from({ length: LOADER_CLIENTS }, async (_, c) => {
            for (let k = 0; k < COLD_PER_CLIENT; k++) run.coldMs.push(await call(`${server.url}/v2/models/${cold(rep, w, c, k)}/infer`));
          }),
        );
        const loading = await hot.stop(looping);
        run.idle.push(...idle);
        run.loading.push(...loading);
        run.loadsPerWindow.push(LOADER_CLIENTS * COLD_PER_CLIENT);
        log(
          `repository on serve rep ${rep + 1}/${reps} window ${w + 1}: hot p50 ${median(idle).toFixed(2)} ms idle, ${median(loading).toFixed(2)} ms while loading (${loading.length} requests)`,
        );
      }
      runs.push(run);
    } finally {
      hot.close();
      server.child.kill('SIGTERM');
      await server.exited;
      world.cleanup(dir);
    }
  }
  return runs;
}

/**
 * A closed-loop client of one model in a child process, driven over stdin: `count N` makes N
 * requests, `loop` makes requests until `stop`; each answers one line of the latencies (ms).
 */
const HOT_CLIENT = `
const http = require('node:http');
const url = process.argv[1];
const body = Buffer.from(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const once = () => new Promise((resolve, reject) => {
  const started = performance.now();
  const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => {
    res.resume();
    res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(url + ' answered ' + res.statusCode))));
  });
  req.on('error', reject);
  req.end(body);
});
let stopping = false;
let pending = '';
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf('\\n')) >= 0) {
    const command = pending.slice(0, nl).trim();
    pending = pending.slice(nl + 1);
    if (command === 'stop') stopping = true;
    else void run(command).catch((err) => { console.error(err.message); process.exit(1); });
  }
});
async function run(command) {
  const [verb, n] = command.split(' ');
  const ms = [];
  stopping = false;
  if (verb === 'count') for (let i = 0; i < Number(n); i++) ms.push(await once());
  else while (!stopping) ms.push(await once());
  process.stdout.write(JSON.stringify(ms) + '\\n');
}
`;

class HotClient {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly replies: string[] = [];
  private waiting?: (line: string) => void;

  constructor(url: string) {
    this.child = spawn(process.execPath, ['-e', HOT_CLIENT, url, INFER]);
    let out = '';
    this.child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const waiter = this.waiting;
        this.waiting = undefined;
        if (waiter) waiter(line);
        else this.replies.push(line);
      }
    });
  }

  count(n: number): Promise<number[]> {
    this.child.stdin.write(`count ${n}\n`);
    return this.reply();
  }

  /** Starts the loop; `stop` with what it returns ends it and gives its latencies. */
  loop(): Promise<number[]> {
    this.child.stdin.write('loop\n');
    return this.reply();
  }

  stop(looping: Promise<number[]>): Promise<number[]> {
    this.child.stdin.write('stop\n');
    return looping;
  }

  close(): void {
    this.child.kill();
  }

  private reply(): Promise<number[]> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(JSON.parse(ready) as number[]);
    return new Promise((resolve, reject) => {
      this.waiting = (line) => resolve(JSON.parse(line) as number[]);
      this.child.once('exit', (code) => reject(new Error(`the hot client exited with ${code}`)));
    });
  }
}
