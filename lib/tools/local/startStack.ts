/**
 * `onnxless start` (a project's `npm start`): the whole stack on one machine, no AWS account. An
 * embedded S3-protocol server (data in .local/s3, kept across runs), the project's models seeded
 * once (each `models/<model>/` folder of the project), and serverless-offline serving every
 * registered model on http://localhost:3000, run from the project's own node_modules with the
 * emulator corrections of offlinePatch.ts preloaded.
 */
import { spawn } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { ENV, optionalString } from '../../core/config/env';
import { LOCAL_STACK, PORT_VARIABLES, localS3Env } from './localStack';
import { LocalStore } from './LocalStore';
import { offlineOutputFilter } from './offlineOutput';
import { assertPortFree } from './portCheck';
import { projectModelSources } from './projectModels';
import { StackLock } from './StackLock';
import { LOG_FORMATS, type LogFormat } from '../../core/observability/sinkFromEnv';
import { readRegistryFile } from '../../core/registry';

// The module hook serverless-offline's process preloads; scripts/build.ts emits it beside this code.
const OFFLINE_PATCH = new URL('./offlinePatchHook.ts', import.meta.url);

/** `--log`: compact lines in a terminal, JSON (+ EMF) otherwise. */
export function logFormat(value: string | undefined, tty: boolean): LogFormat {
  if (value === undefined) return tty ? 'compact' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(value)) throw new Error(`--log ${value}: expected one of ${LOG_FORMATS.join(', ')}`);
  return value as LogFormat;
}

/** osls's entry, from the project's own install (the version its package.json pins). */
function serverlessBin(projectDir: string): string {
  try {
    return createRequire(resolve(projectDir, 'package.json')).resolve('osls/bin/serverless.js');
  } catch {
    throw new Error(
      `osls is not installed in ${projectDir}: npm install --save-dev osls (the Serverless Framework v3 line onnxless deploys with)`,
    );
  }
}

export async function startStack(options: { log?: string; projectDir?: string } = {}): Promise<void> {
  const format = logFormat(options.log, process.stdout.isTTY);
  const projectDir = options.projectDir ?? process.cwd();
  // The registry file; its folder is the service folder serverless-offline runs in.
  const configFile = resolve(projectDir, optionalString(ENV.config) ?? 'serverless.yml');
  const lock = new StackLock(LOCAL_STACK.lockFile);
  lock.acquire();
  // Released however the process ends (the exit event runs synchronous code only).
  process.on('exit', () => lock.release());

  // serverless-offline listens on localhost; a taken port there is a raw EADDRINUSE deep in hapi.
  await assertPortFree(LOCAL_STACK.httpPort, 'HTTP API', PORT_VARIABLES.httpPort, 'localhost');
  await assertPortFree(LOCAL_STACK.lambdaPort, "serverless-offline's Lambda endpoint", PORT_VARIABLES.lambdaPort, 'localhost');
  const store = new LocalStore();
  const endpoint = await store.start();
  const env = { ...process.env, ...localS3Env() };
  const registry = await readRegistryFile(configFile, { env });
  const seeded = await store.seed(registry, await projectModelSources(dirname(configFile)));
  console.log(`local S3 server: ${endpoint} (bucket ${registry.bucket.name}, data in ${LOCAL_STACK.dataDir})`);
  for (const s of seeded) {
    const note = s.state === 'missing' ? ' -- push it: npx onnxless push <file.onnx> --model ' + s.model + ' --local' : '';
    console.log(`  ${s.model.padEnd(20)} weights ${s.state}${note}`);
  }

  // --noAuth: locally there is no IAM to sign against; deployed routes keep their authorizer.
  const offline = spawn(
    process.execPath,
    [
      '--import',
      OFFLINE_PATCH.href,
      serverlessBin(dirname(configFile)),
      'offline',
      'start',
      '--config',
      basename(configFile),
      '--httpPort',
      String(LOCAL_STACK.httpPort),
      '--lambdaPort',
      String(LOCAL_STACK.lambdaPort),
      '--noAuth',
      '--stage',
      'dev',
    ],
    {
      cwd: dirname(configFile),
      env: {
        ...env,
        // The plugin puts these into each emulated function's environment (lib/tools/local/emulatedFunctions.ts).
        [ENV.cacheDir]: LOCAL_STACK.cacheDir,
        [ENV.logFormat]: format,
        SLS_TELEMETRY_DISABLED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // serverless-offline says it is ready on stderr; watch both streams, pass both through.
  let announced = false;
  const watch = (out: NodeJS.WriteStream) => {
    const filter = offlineOutputFilter(format);
    return (chunk: Buffer) => {
      const text = chunk.toString();
      out.write(filter(text));
      if (!announced && /Server ready/i.test(text)) {
        announced = true;
        announce(Object.keys(registry.models), Object.keys(registry.repositories ?? {}));
      }
    };
  };
  offline.stdout.on('data', watch(process.stdout));
  offline.stderr.on('data', watch(process.stderr));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping serverless-offline and the local S3 server`);
    offline.kill('SIGTERM');
  };
  // The emulator never started (a missing plugin, a registry error): its exit says why.
  offline.on('error', (err) => fail(err));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  offline.on('exit', (code) => {
    store.stop().then(
      () => process.exit(stopping ? 0 : (code ?? 1)),
      (err: unknown) => fail(err),
    );
  });
}

function announce(models: string[], repositories: string[]): void {
  const base = `http://localhost:${LOCAL_STACK.httpPort}`;
  console.log(`\nonnxless is up: ${base}`);
  for (const m of models) console.log(`  ${m.padEnd(20)} ${base}/v2/models/${m}`);
  // A repository's models are in its index, not the registry: name how to add one.
  for (const r of repositories) {
    console.log(`  ${r.padEnd(20)} ${base}/v2/models/{model}: repository, its models pushed with`);
    console.log(`  ${''.padEnd(20)} npx onnxless push <file|dir> --model <name> --repository ${r} --local`);
  }
  if (models[0] !== undefined) {
    console.log('\nTry:');
    console.log(`  curl -s ${base}/v2/models/${models[0]}`);
  }
  const env = Object.entries(localS3Env())
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(
    `\nOne function alone, with this stack's S3 server:\n  ${env} npx serverless invoke local -f ${models[0] ?? '<model>'} -p <event.json>`,
  );
  console.log('\nCtrl-C stops everything.');
}

/** One line saying why, never a stack trace: every start-up failure here is the user's to fix. */
function fail(err: unknown): never {
  console.error(`onnxless: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
