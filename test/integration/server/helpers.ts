import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServeConfig, type ServeConfigInput } from '../../../lib/serve/config';
import type { LogLevel, ServerLog } from '../../../lib/serve/log';
import { startServer, type RunningServer, type StartOptions } from '../../../lib/serve/startServer';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export function tempDir(prefix = 'onnxless-server-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface LogLine {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

/** Starts the server in this process on a free port, logging into an array. */
export async function startTestServer(config: ServeConfigInput, options: StartOptions = {}): Promise<RunningServer & { logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const log: ServerLog = (level, message, fields = {}) => logs.push({ level, message, fields });
  const running = await startServer(
    parseServeConfig({ host: '127.0.0.1', port: 0, modelDir: join(REPO, 'no-model-dir'), ...config }, 'test'),
    { log, ...options },
  );
  return Object.assign(running, { logs });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
  json<T = any>(): T;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP request; resolves with the whole answer and how long it took. */
export function call(
  base: string,
  method: string,
  path: string,
  body?: string | Buffer | object,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const h: Record<string, string> = { ...headers };
  if (payload !== undefined && h['content-type'] === undefined) h['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = httpRequest(new URL(path, base), { method, headers: h, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: buf,
          ms: performance.now() - started,
          json: () => JSON.parse(buf.toString('utf8')),
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls until `check` passes or `timeoutMs` runs out. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A value of one series in Prometheus text (labels as written, e.g. `model="m"`), summed over matches. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export interface SpawnedServer {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
}

/** Runs a command (the image's entry command) and waits for the server's `listening` line. */
export async function spawnServer(
  argv: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
  cwd = REPO,
): Promise<SpawnedServer> {
  const [command, ...args] = argv as [string, ...string[]];
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, atMs: performance.now() })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`)), timeoutMs);
    const onData = () => {
      const line = out.split('\n').find((l) => l.includes('"message":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve((JSON.parse(line) as { url: string }).url);
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

export function inferBody(inputs: Array<{ name: string; datatype: string; shape: number[]; data: unknown }>, extra: object = {}): object {
  return { inputs, ...extra };
}
