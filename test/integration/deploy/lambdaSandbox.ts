import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { node22 } from '../../shipped/node22';
import { TEST_CREDENTIALS } from '../../support/localS3';
import { ROOT, extractZip, lambdaFunction, type CfnTemplate } from './serviceFixture';

/**
 * A Lambda-like sandbox in a temp folder outside the project (no package.json or node_modules
 * above it): the function zip unpacked as the task root (or an image's task root as built), layer
 * zips unpacked into one /opt, and a child Node 22 (Lambda's nodejs22.x) started with
 * cwd = task root and NODE_PATH as Lambda's Node runtime sets it, nothing else on the module path:
 *   /opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * and https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths).
 * The stand-in for /var/runtime is empty: Lambda's holds the runtime client and an AWS SDK,
 * which the functions must not count on (they bundle their own).
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
if (!ext) throw new Error('no ' + file + '.js, .mjs or .cjs in the task root');
const handler = require(path.join(taskRoot, file + ext))[name];
if (typeof handler !== 'function') throw new Error(process.env._HANDLER + ' is not a function');
let ortPath = null;
try { ortPath = require.resolve('onnxruntime-node', { paths: [taskRoot] }); } catch {}
fs.writeSync(3, JSON.stringify({ ready: true, ortPath, handlerFile: file + ext }) + '\\n');
const timeoutMs = Number(process.env.SANDBOX_TIMEOUT_S || 30) * 1000;
let invocation = 0;
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const deadline = Date.now() + timeoutMs;
  const context = {
    awsRequestId: 'sandbox-' + ++invocation,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const result = await handler(JSON.parse(line), context);
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

  /** What the function wrote to stdout and stderr so far (its CloudWatch log). */
  get output(): string {
    return this.log;
  }
  private exit: number | null | undefined;
  private child: ChildProcess | undefined;
  /** Where onnxruntime-node resolves from inside the sandbox (null: nowhere). */
  ortPath: string | null = null;
  /** The file the handler was loaded from, relative to the task root. */
  handlerFile = '';

  private constructor(
    readonly dir: string,
    readonly opt: string,
  ) {}

  /** Lays out the function zip and its layer zips, starts the runtime, waits until the handler is loaded. */
  static async start(options: {
    /** The function's zip, unpacked as the task root... */
    functionZip?: string;
    /** ...or a task root already laid out (an image's /var/task). */
    taskRoot?: string;
    layerZips?: readonly string[];
    /** An /opt already laid out (an image's), instead of layer zips. */
    opt?: string;
    handler: string;
    env: Record<string, string>;
    /** The function's timeout (context.getRemainingTimeInMillis counts down from it). */
    timeoutSeconds?: number;
    /** A folder to stand in for /var/runtime/node_modules, where Lambda's runtime keeps its AWS SDK v3. */
    runtimeModules?: string;
  }): Promise<LambdaSandbox> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'onnxless-lambda-'));
    const sandbox = new LambdaSandbox(dir, options.opt ?? path.join(dir, 'opt'));
    const taskRoot = options.taskRoot ?? path.join(dir, 'task');
    try {
      if (options.functionZip) await extractZip(options.functionZip, taskRoot);
      if (!options.opt) {
        await mkdir(sandbox.opt, { recursive: true });
        for (const zip of options.layerZips ?? []) await extractZip(zip, sandbox.opt);
      }
      await mkdir(path.join(dir, 'runtime'), { recursive: true });
      if (options.runtimeModules) await symlink(options.runtimeModules, path.join(dir, 'runtime', 'node_modules'), 'dir');
      await writeFile(path.join(dir, 'bootstrap.cjs'), BOOTSTRAP);
      sandbox.spawn(taskRoot, options.handler, { SANDBOX_TIMEOUT_S: String(options.timeoutSeconds ?? 30), ...options.env });
      const ready = JSON.parse(await sandbox.next()) as { ortPath: string | null; handlerFile: string };
      sandbox.ortPath = ready.ortPath;
      sandbox.handlerFile = ready.handlerFile;
      return sandbox;
    } catch (err) {
      await sandbox.stop();
      throw err;
    }
  }

  private spawn(taskRoot: string, handler: string, env: Record<string, string>): void {
    const child = spawn(node22(), [path.join(this.dir, 'bootstrap.cjs')], {
      cwd: taskRoot,
      env: {
        PATH: '/usr/bin:/bin',
        ...env,
        // Reserved: Lambda sets these whatever the function's configuration says.
        LAMBDA_TASK_ROOT: taskRoot,
        LAMBDA_RUNTIME_DIR: path.join(this.dir, 'runtime'),
        _HANDLER: handler,
        NODE_PATH: [
          path.join(this.opt, 'nodejs/node22/node_modules'),
          path.join(this.opt, 'nodejs/node_modules'),
          path.join(this.dir, 'runtime/node_modules'),
        ].join(':'),
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

/** The layer zips a test machine can run: its own architecture's. */
export const HOST_ARCH = process.arch === 'arm64' ? 'arm64' : 'x86_64';

/**
 * One function of a packaged template, as Lambda runs it: its zip from `out`, its layers' zips
 * (this machine's architecture; `layerZip` maps a layer's file name to its path), the template's
 * environment and timeout, and a local S3 server's endpoint and credentials.
 */
export function startPackagedFunction(options: {
  template: CfnTemplate;
  out: string;
  key: string;
  layerZip: (file: string) => string;
  s3Endpoint: string;
  cacheDir: string;
  env?: Record<string, string>;
  runtimeModules?: string;
}): Promise<LambdaSandbox> {
  const { template, key } = options;
  const fn = lambdaFunction(template, key).Properties;
  const layers = ((fn.Layers ?? []) as Array<{ Ref: string }>).map((l) =>
    options.layerZip(path.basename(template.Resources[l.Ref]!.Properties.Content.S3Key as string).replace(/arm64|x86_64/, HOST_ARCH)),
  );
  return LambdaSandbox.start({
    functionZip: path.join(options.out, `${key}.zip`),
    layerZips: layers,
    handler: fn.Handler as string,
    timeoutSeconds: fn.Timeout as number,
    env: {
      ...(fn.Environment?.Variables as Record<string, string> | undefined),
      AWS_LAMBDA_FUNCTION_NAME: fn.FunctionName as string,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_S3: options.s3Endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      ONNXLESS_CACHE_DIR: options.cacheDir,
      ...options.env,
    },
    runtimeModules: options.runtimeModules,
  });
}

/**
 * The layer zips the package built (the plugin writes them under layers/<name>/dist/), as the
 * `layerZip` lookup startPackagedFunction takes: a file name the template names -> its path.
 */
export async function builtLayerZips(): Promise<(file: string) => string> {
  const zips = new Map<string, string>();
  for (const layer of await readdir(path.join(ROOT, 'layers'))) {
    const dist = path.join(ROOT, 'layers', layer, 'dist');
    for (const file of await readdir(dist).catch(() => [])) if (file.endsWith('.zip')) zips.set(file, path.join(dist, file));
  }
  return (file) => {
    const zip = zips.get(file);
    if (!zip) throw new Error(`no layer zip ${file} (have ${[...zips.keys()].join(', ')})`);
    return zip;
  };
}
