import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { extractZip } from './serviceFixture';

/**
 * A Lambda-like sandbox in a temp folder outside the project (no package.json or node_modules
 * above it): the function zip unpacked as the task root, layer zips unpacked into one /opt, and
 * a child `node` started with cwd = task root and NODE_PATH = <opt>/nodejs/node_modules only, as
 * Lambda's Node runtime puts layers on the module path.
 */

// Stands in for Lambda's runtime: loads the handler by absolute path from the task root, trying
// .js, .mjs, .cjs as the Node runtime interface client does; says 'ready' once loaded; answers one
// event per line of stdin on fd 3 (stdout and stderr are the function's log).
const BOOTSTRAP = `
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const taskRoot = process.env.LAMBDA_TASK_ROOT;
const [file, name] = process.env._HANDLER.split(/\\.(?=[^.]+$)/);
const ext = ['.js', '.mjs', '.cjs'].find((e) => fs.existsSync(path.join(taskRoot, file + e)));
if (ext !== '.cjs') throw new Error('expected the CommonJS bundle ' + file + '.cjs, found ' + ext);
const handler = require(path.join(taskRoot, file + ext))[name];
if (typeof handler !== 'function') throw new Error(process.env._HANDLER + ' is not a function');
let ortPath = null;
try { ortPath = require.resolve('onnxruntime-node', { paths: [taskRoot] }); } catch {}
fs.writeSync(3, JSON.stringify({ ready: true, ortPath }) + '\\n');
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const result = await handler(JSON.parse(line));
  fs.writeSync(3, JSON.stringify({ result }) + '\\n');
});
`;

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

export class LambdaSandbox {
  private readonly waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  private buffer = '';
  private log = '';
  private exit: number | null | undefined;
  private child: ChildProcess | undefined;
  /** Where onnxruntime-node resolves from inside the sandbox (null: nowhere). */
  ortPath: string | null = null;

  private constructor(
    readonly dir: string,
    readonly opt: string,
  ) {}

  /** Lays out the function zip and its layer zips, starts the runtime, waits until the handler is loaded. */
  static async start(options: {
    functionZip: string;
    layerZips: readonly string[];
    handler: string;
    env: Record<string, string>;
  }): Promise<LambdaSandbox> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'onnxless-lambda-'));
    const sandbox = new LambdaSandbox(dir, path.join(dir, 'opt'));
    const taskRoot = path.join(dir, 'task');
    try {
      await extractZip(options.functionZip, taskRoot);
      await mkdir(sandbox.opt, { recursive: true });
      for (const zip of options.layerZips) await extractZip(zip, sandbox.opt);
      await writeFile(path.join(dir, 'bootstrap.cjs'), BOOTSTRAP);
      sandbox.spawn(taskRoot, options.handler, options.env);
      const ready = JSON.parse(await sandbox.next()) as { ortPath: string | null };
      sandbox.ortPath = ready.ortPath;
      return sandbox;
    } catch (err) {
      await sandbox.stop();
      throw err;
    }
  }

  private spawn(taskRoot: string, handler: string, env: Record<string, string>): void {
    const child = spawn(process.execPath, [path.join(this.dir, 'bootstrap.cjs')], {
      cwd: taskRoot,
      env: {
        PATH: '/usr/bin:/bin',
        LAMBDA_TASK_ROOT: taskRoot,
        _HANDLER: handler,
        NODE_PATH: path.join(this.opt, 'nodejs/node_modules'),
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    child.on('exit', (code) => {
      this.exit = code;
      for (const w of this.waiting.splice(0)) w.reject(this.exited());
    });
    (child.stdio[3] as Readable).on('data', (d: Buffer) => {
      this.buffer += d.toString();
      let newline;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        this.waiting.shift()?.resolve(line);
      }
    });
  }

  private exited(): Error {
    return new Error(`the function exited (${this.exit}); its log:\n${this.log}`);
  }

  private next(timeoutMs = 30_000): Promise<string> {
    if (this.exit !== undefined) return Promise.reject(this.exited());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms; log:\n${this.log}`)), timeoutMs);
      this.waiting.push({
        resolve: (line) => (clearTimeout(timer), resolve(line)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
    });
  }

  async invoke(event: unknown): Promise<HttpResult> {
    const answer = this.next();
    this.child?.stdin?.write(`${JSON.stringify(event)}\n`);
    return (JSON.parse(await answer) as { result: HttpResult }).result;
  }

  async stop(): Promise<void> {
    this.child?.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** An API Gateway HTTP API (payload 2.0) event as Lambda receives it. */
export function httpApiEvent(method: 'GET' | 'POST', rawPath: string, body?: unknown): Record<string, unknown> {
  return {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'abc123.execute-api.us-east-1.amazonaws.com' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'vitest' },
      requestId: 'test-request',
      routeKey: `${method} ${rawPath}`,
      stage: '$default',
      time: '01/Jan/2030:00:00:00 +0000',
      timeEpoch: 1893456000000,
    },
    isBase64Encoded: false,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
}
