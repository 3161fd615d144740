import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../../', import.meta.url)));

export const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface Answer {
  status: number;
  ms: number;
  body: Buffer;
}

/** One HTTP request on the shared keep-alive agent: status, time and body (status 0 on a network error). */
export function send(url: string, method: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((done) => {
    const started = performance.now();
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    const req = request(
      url,
      { method, agent, headers: payload ? { 'content-type': 'application/json', ...headers, 'content-length': payload.length } : headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, ms: performance.now() - started, body: Buffer.concat(chunks) }));
        res.on('error', () => done({ status: 0, ms: performance.now() - started, body: Buffer.alloc(0) }));
      },
    );
    req.on('error', () => done({ status: 0, ms: performance.now() - started, body: Buffer.alloc(0) }));
    req.end(payload);
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** `node bin/onnxless.mjs serve --config <file>` as the image runs it; resolves once /ping is 200. */
export async function startServe(configPath: string): Promise<ServeProcess> {
  const child = spawn('node', ['bin/onnxless.mjs', 'serve', '--config', configPath], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.includes('"message":"listening"'));
      if (!line) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      resolveUrl((JSON.parse(line) as { url: string }).url);
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${out}\n${err}`)));
  });
  for (let i = 0; ; i++) {
    if ((await send(`${url}/ping`, 'GET')).status === 200) break;
    if (i > 1200) throw new Error(`server not ready after 2 minutes: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, exited };
}

/** A series of the server's Prometheus text, summed over its labels. */
export async function metric(url: string, name: string): Promise<number> {
  return (await metrics(url, [name]))[0] as number;
}

/** Several Prometheus series from one scrape of /metrics, each summed over its labels. */
export async function metrics(url: string, names: readonly string[]): Promise<number[]> {
  const lines = (await send(`${url}/metrics`, 'GET')).body.toString().split('\n');
  return names.map((name) => {
    let sum = 0;
    for (const line of lines)
      if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    return sum;
  });
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
