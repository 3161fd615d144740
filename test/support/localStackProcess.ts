import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `npm start` as a user runs it, on ports and a data folder of the test's own, with a copy of
 * the project's serverless.yml (the tests push models into it; the real one stays untouched).
 */
export class LocalStackProcess {
  child?: ChildProcess;
  output = '';
  readonly configName: string;

  constructor(readonly env: Record<string, string>) {
    this.configName = `serverless.e2e-${process.pid}.yml`;
    copyFileSync(join(ROOT, 'serverless.yml'), join(ROOT, this.configName));
  }

  static async create(localDir: string): Promise<LocalStackProcess> {
    return new LocalStackProcess({
      ONNXLESS_LOCAL_DIR: localDir,
      ONNXLESS_LOCAL_S3_PORT: String(await freePort()),
      ONNXLESS_LOCAL_HTTP_PORT: String(await freePort()),
      ONNXLESS_LOCAL_LAMBDA_PORT: String(await freePort()),
    });
  }

  get configPath(): string {
    return join(ROOT, this.configName);
  }

  get baseUrl(): string {
    return `http://localhost:${this.env.ONNXLESS_LOCAL_HTTP_PORT}`;
  }

  /** Starts the stack and resolves once it printed that it is up. */
  async start(timeoutMs = 240_000): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, [TSX, 'scripts/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, ONNXLESS_CONFIG: this.configName },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`local stack not up after ${timeoutMs} ms:\n${this.output.slice(-3000)}`)), timeoutMs);
      const check = setInterval(() => {
        if (this.output.includes('onnxless is up')) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 200);
      child.once('exit', (code) => {
        clearInterval(check);
        clearTimeout(timer);
        reject(new Error(`local stack exited with ${code}:\n${this.output.slice(-3000)}`));
      });
    });
  }

  /** Ctrl-C, as a user stops it; resolves with the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  dispose(): void {
    rmSync(this.configPath, { force: true });
  }
}
