import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// The CLI as it ships (dist/, built by npm test's pretest): `onnxless start`.
const CLI = join(ROOT, 'bin/onnxless.mjs');

/** The example registry as shipped: the tests' copy, never the user's serverless.yml. */
export const FIXTURE_REGISTRY = join(ROOT, 'test/fixtures/registry/serverless.yml');

/** What a service folder needs besides its serverless.yml: the project's code, linked in. */
const LINKED = ['node_modules', 'lib', 'dist', 'handlers', 'layers', 'package.json', 'tsconfig.json'];

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

export interface RunResult {
  code: number | null;
  output: string;
}

/**
 * `npm start` as a user runs it, in a service folder of the test's own (a temp folder holding a
 * copy of the fixture registry and the project's code linked in), on ports and a data folder of
 * its own: the tests push models into that registry; the user's serverless.yml and .local stay untouched.
 */
export class LocalStackProcess {
  child?: ChildProcess;
  output = '';

  constructor(
    readonly serviceDir: string,
    readonly env: Record<string, string>,
  ) {}

  static async create(localDir: string): Promise<LocalStackProcess> {
    const serviceDir = mkdtempSync(join(tmpdir(), 'onnxless-service-'));
    for (const name of LINKED) symlinkSync(join(ROOT, name), join(serviceDir, name));
    copyFileSync(FIXTURE_REGISTRY, join(serviceDir, 'serverless.yml'));
    return new LocalStackProcess(serviceDir, {
      ONNXLESS_LOCAL_DIR: localDir,
      ONNXLESS_CONFIG: join(serviceDir, 'serverless.yml'),
      ONNXLESS_LOCAL_S3_PORT: String(await freePort()),
      ONNXLESS_LOCAL_HTTP_PORT: String(await freePort()),
      ONNXLESS_LOCAL_LAMBDA_PORT: String(await freePort()),
    });
  }

  get configPath(): string {
    return join(this.serviceDir, 'serverless.yml');
  }

  get baseUrl(): string {
    return `http://localhost:${this.env.ONNXLESS_LOCAL_HTTP_PORT}`;
  }

  private spawnStart(args: string[], env: Record<string, string>): ChildProcess {
    return spawn(process.execPath, [CLI, 'start', ...args], {
      cwd: this.serviceDir,
      env: { ...process.env, ...this.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Starts the stack and resolves once it printed that it is up. */
  async start(options: { args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 240_000;
    this.output = '';
    const child = this.spawnStart(options.args ?? [], options.env ?? {});
    this.child = child;
    child.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`local stack not up after ${timeoutMs} ms:\n${this.output.slice(-3000)}`)),
        timeoutMs,
      );
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

  /**
   * Resolves once the stack's output matches: a function logs its request line after it has
   * answered, so the line may arrive a moment after the response.
   */
  async printed(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    return this.output;
  }

  /** A second `npm start` beside this one (same or changed settings), run until it exits. */
  attempt(env: Record<string, string>, timeoutMs = 60_000): Promise<RunResult> {
    const child = this.spawnStart([], env);
    let output = '';
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    return new Promise((resolve) =>
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      }),
    );
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
    rmSync(this.serviceDir, { recursive: true, force: true });
  }
}
