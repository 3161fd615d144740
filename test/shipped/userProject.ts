import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel } from '../support/onnxModels';

/**
 * A user's project as a user makes it: onnxless packed (`npm pack`, which builds dist/ with its
 * types), a project scaffolded by `onnxless init` in a temp folder outside this repository, and
 * the tarball installed there by npm, with the npm cache of this machine and the registry: no
 * symlink into the checkout, nothing of the repository on the module path.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = path.join(ROOT, 'bin', 'onnxless.mjs');

export interface Run {
  code: number;
  output: string;
}

/** One command to its end, its output kept whatever the exit code. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** Fails with the command's output, so a red test says what went wrong. */
export async function runOk(command: string, args: readonly string[], options: Parameters<typeof run>[2]): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.code} in ${options.cwd}:\n${result.output.slice(-6000)}`);
  return result.output;
}

/**
 * The environment of a user's shell, minus what this test run sets for itself: vitest's and this
 * repository's npm variables would point npm and node at the checkout.
 */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|VITEST|NODE_OPTIONS$|ONNXRUNTIME_NODE_INSTALL$|ONNXLESS_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', NO_COLOR: '1', ...extra };
}

/**
 * `npm pack` of this repository into `dir`: the tarball a release publishes. Packed from a staged
 * copy (the package's files, dist/ built into it with its types, as prepack builds it) so that the
 * checkout's own dist/, which other test files run at the same time, is never rebuilt under them.
 */
export async function packFramework(dir: string): Promise<string> {
  const stage = await mkdtemp(path.join(os.tmpdir(), 'onnxless-pack-'));
  try {
    for (const item of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'schema.json', 'bin', 'templates']) {
      await cp(path.join(ROOT, item), path.join(stage, item), { recursive: true });
    }
    const tsx = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
    await runOk(process.execPath, [tsx, 'scripts/build.ts', '--types', '--out', path.join(stage, 'dist')], {
      cwd: ROOT,
      env: userEnv(),
      timeoutMs: 300_000,
    });
    await runOk('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--loglevel=error'], {
      cwd: stage,
      env: userEnv(),
      timeoutMs: 300_000,
    });
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  const tarball = (await readdir(dir)).find((f) => /^onnxless-\d.*\.tgz$/.test(f));
  if (!tarball) throw new Error(`npm pack wrote no onnxless-*.tgz into ${dir}`);
  return path.join(dir, tarball);
}

export async function workDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'onnxless-user-'));
}

/** `npx onnxless init <dir> --onnxless <tarball>` as a user runs it; `install: false` adds --no-install. */
export async function scaffold(project: string, tarball: string, options: { install?: boolean; npm?: string } = {}): Promise<string> {
  const args = [CLI, 'init', project, '--onnxless', tarball, ...(options.install === false ? ['--no-install'] : [])];
  return runOk(process.execPath, args, { cwd: path.dirname(project), env: userEnv(), timeoutMs: 600_000 });
}

/** A model of the user's own, none of the examples: `score = relu(features) * 3`, features float32 [batch, 3]. */
export function userModel(): Uint8Array {
  return encodeModel({
    inputs: [['features', 'float32', ['batch', 3]]],
    outputs: [['score', 'float32', ['batch', 3]]],
    nodes: [
      { opType: 'Relu', input: ['features'], output: ['positive'] },
      { opType: 'Mul', input: ['positive', 'three'], output: ['score'] },
    ],
    initializers: [{ name: 'three', dataType: 1, dims: [], floatData: [3] }],
  });
}

/** `npm start` in the project, resolved once the stack says it is up. */
export async function startStack(
  project: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  const child = spawn('npm', ['start'], { cwd: project, env: userEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    // npm, onnxless start and serverless-offline: the whole group, as Ctrl-C in a terminal does.
    process.kill(-child.pid!, 'SIGINT');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start: not up after 240 s:\n${output.slice(-4000)}`)), 240_000);
    const check = setInterval(() => {
      if (output.includes('onnxless is up')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 200);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
  return { child, output: () => output, stop };
}
