/**
 * `npm start`: the whole stack on one machine, no AWS account. An embedded S3-protocol server
 * (data in .local/s3, kept across runs), the example weights uploaded once, and
 * serverless-offline serving every registered model on http://localhost:3000.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readRegistryFile } from '../lib/registry';
import { LOCAL_STACK, localS3Env } from '../lib/local/localStack';
import { LocalStore } from '../lib/local/LocalStore';

// The SDK warns on every process that Node 20 support ends in 2027; the lockfile pins it (see README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = process.env.ONNXLESS_CONFIG ?? 'serverless.yml';

async function main(): Promise<void> {
  const store = new LocalStore();
  const endpoint = await store.start();
  const env = { ...process.env, ...localS3Env() };
  const registry = await readRegistryFile(`${root}/${config}`, { env });
  const seeded = await store.seed(registry);
  console.log(`local S3 server: ${endpoint} (bucket ${registry.bucket.name}, data in .local/s3)`);
  for (const s of seeded) {
    const note = s.state === 'missing' ? ' -- push it: npx onnxless push <file.onnx> --model ' + s.model + ' --local' : '';
    console.log(`  ${s.model.padEnd(20)} weights ${s.state}${note}`);
  }

  // --noAuth: locally there is no IAM to sign against; deployed routes keep their authorizer.
  const offline = spawn(
    process.execPath,
    [`${root}/node_modules/osls/bin/serverless.js`, 'offline', 'start', '--config', config, '--httpPort', String(LOCAL_STACK.httpPort), '--lambdaPort', String(LOCAL_STACK.lambdaPort), '--noAuth', '--stage', 'dev'],
    { cwd: root, env: { ...env, ONNXLESS_CACHE_DIR: LOCAL_STACK.cacheDir, SLS_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // serverless-offline says it is ready on stderr; watch both streams, pass both through.
  let announced = false;
  const watch = (out: NodeJS.WriteStream) => (chunk: Buffer) => {
    out.write(chunk);
    if (!announced && /Server ready/i.test(chunk.toString())) {
      announced = true;
      announce(Object.keys(registry.models));
    }
  };
  offline.stdout.on('data', watch(process.stdout));
  offline.stderr.on('data', watch(process.stderr));

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping serverless-offline and the local S3 server`);
    offline.kill('SIGTERM');
    await store.stop();
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  offline.on('exit', (code) => {
    void store.stop().finally(() => process.exit(stopping ? 0 : code ?? 1));
  });
}

function announce(models: string[]): void {
  const base = `http://localhost:${LOCAL_STACK.httpPort}`;
  console.log(`\nonnxless is up: ${base}`);
  for (const m of models) console.log(`  ${m.padEnd(20)} ${base}/v2/models/${m}`);
  console.log('\nTry:');
  console.log(`  curl -s ${base}/v2/models/tiny`);
  const env = Object.entries(localS3Env()).map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(`\nOne function alone, with this stack's S3 server:\n  ${env} npx serverless invoke local -f tiny -p events/tiny-infer.json`);
  console.log('\nCtrl-C stops everything.');
}

main().catch((err: unknown) => {
  console.error(`npm start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
