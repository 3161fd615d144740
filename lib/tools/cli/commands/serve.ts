import { InvalidArgumentError, type Command } from 'commander';
import { ENV } from '../../../core/config/env';
import { LOCAL_STACK, localS3Env } from '../../local/localStack';
import { lockHolder } from '../../local/StackLock';
import type { Pipeline } from '../../../core/pipeline/Pipeline';
import { resolveServeConfig, type ServeConfig, type ServeFlags } from '../../../serve/config';
import { jsonLog } from '../../../serve/log';
import { startServer } from '../../../serve/startServer';
import { s3EndpointFromEnv } from '../../../core/sources/s3Environment';

/** SIGTERM to exit: the container contract (ECS, Kubernetes, SageMaker) kills after 30 s. */
const HARD_EXIT_MS = 29_500;

/**
 * `npx onnxless serve`: every configured model over HTTP, with inference on worker threads
 * and dynamic batching; the GPU image's entry point. docs/server.md describes the config.
 */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve models over HTTP: OIP v2 (JSON and binary), domain routes, SageMaker /ping and /invocations, Prometheus /metrics')
    .option('--config <file>', 'serve config, YAML or JSON (docs/server.md)')
    .option('--port <n>', `port to listen on; 0 picks a free one (default 8080, or ${ENV.port})`, parseInteger('--port', 0))
    .option('--host <address>', 'address to bind (default 0.0.0.0)')
    .option('--workers <n>', `inference worker threads (default: one per CPU, or ${ENV.workers})`, parseInteger('--workers', 1))
    .option('--model <name=weights>', 'serve a model file or s3:// object; repeatable', collect, [])
    .option('--model-dir <dir>', 'SageMaker model directory whose .onnx files override or add models (default /opt/ml/model)')
    .option('--default-model <name>', 'the model POST /invocations serves when there are several')
    .option('--local', 'fetch weights from the local stack of `npm start` (its S3 server and credentials, its cache in .local/cache)')
    .addHelpText(
      'after',
      '\nWith no --config, --model or model directory, ./serverless.yml is served (every model of its registry).\n' +
        'After `npm start` has seeded the bucket: npx onnxless serve --local',
    )
    .action(async (flags: ServeFlags & { model: string[]; local?: boolean }) => {
      if (flags.local) useLocalStack();
      const config = await builtInPipelinesOnly(await resolveServeConfig({ ...flags, models: flags.model }));
      if (!flags.local) hintLocalStack(config);
      await runServer(config);
    });
}

async function runServer(config: ServeConfig): Promise<void> {
  // The handlers are in place before the port opens: a SIGTERM right after the `listening` line
  // (while the eager loads start) drains like any other instead of killing the process.
  const signalled = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const running = await startServer(config, { resolvePipeline: await pipelineResolver(config) });
  const signal = await signalled;
  jsonLog('INFO', 'draining', { signal, inFlightLimitMs: config.drainTimeoutMs });
  // Whatever happens in the drain, the process is gone before the orchestrator's SIGKILL.
  setTimeout(() => leaveBySignal(signal), HARD_EXIT_MS).unref();
  running.drain().then(
    (clean) => (clean ? process.exit(0) : running.threadsBusy ? leaveBySignal(signal) : process.exit(1)),
    () => leaveBySignal(signal),
  );
}

/**
 * Ends the process by the signal it was sent, as if it had no handler: the way out while an
 * inference thread may still be inside onnxruntime's native code, where `process.exit` stops
 * the threads and onnxruntime's binding then aborts the process (SIGABRT, measured:
 * startServer.ts, `drain`). An orchestrator sees the process ended by its own SIGTERM.
 */
function leaveBySignal(signal: string): void {
  process.removeAllListeners(signal);
  process.kill(process.pid, signal);
}

/**
 * `--local`: the SDK talks to the local stack's S3 server with its fixed credentials (what
 * `npm start` and `onnxless push --local` use), and the weights cache is the stack's own.
 */
function useLocalStack(): void {
  Object.assign(process.env, localS3Env());
  process.env[ENV.cacheDir] ??= LOCAL_STACK.cacheDir;
}

/** S3 weights, a local stack running from this folder, no S3 endpoint set: say which flag is missing. */
function hintLocalStack(config: ServeConfig): void {
  const pid = lockHolder(LOCAL_STACK.lockFile);
  const fromS3 = Object.values(config.models).some((m) => m.weights.startsWith('s3://'));
  if (pid === undefined || !fromS3 || s3EndpointFromEnv() !== undefined) return;
  jsonLog(
    'WARN',
    `a local stack is running here (npm start, pid ${pid}): add --local to fetch the weights from its S3 server, not from AWS`,
  );
}

/**
 * A project's own handlers (handlers/predict.ts) are Lambda entry points the server does not load:
 * their models are served on their OIP routes, and their domain route says so at start, instead of
 * the server refusing to start over a pipeline name only the project knows.
 */
async function builtInPipelinesOnly(config: ServeConfig): Promise<ServeConfig> {
  if (!Object.values(config.models).some((m) => m.pipeline !== undefined)) return config;
  const { PIPELINE_NAMES } = await import('../../../core/builtins/index');
  const known = new Set<string>(PIPELINE_NAMES);
  const models = Object.fromEntries(
    Object.entries(config.models).map(([name, model]) => {
      if (model.pipeline === undefined || known.has(model.pipeline)) return [name, model];
      jsonLog(
        'WARN',
        `model '${name}': its handler's pipeline '${model.pipeline}' is the project's own; serve answers its OIP routes only (the domain route runs on Lambda and in npm start)`,
      );
      const { pipeline: _own, ...rest } = model;
      return [name, rest];
    }),
  );
  return { ...config, models };
}

/** Loads lib/core/builtins (and its native image/audio modules) only when an entry names a pipeline. */
async function pipelineResolver(config: ServeConfig): Promise<((name: string) => Pipeline) | undefined> {
  if (!Object.values(config.models).some((m) => m.pipeline !== undefined)) return undefined;
  const { getPipeline } = await import('../../../core/builtins/index');
  return getPipeline;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseInteger(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${flag} expects a whole number >= ${min}, got '${value}'`);
    return n;
  };
}
