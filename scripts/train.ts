/**
 * `npm run train`: the product's lifecycle in one command. Train the example network
 * (Linear 10->20, Linear 20->10, MSE, Adam lr 0.001, 1000 epochs), export it to ONNX, push it
 * to the local bucket with `onnxless push`, and register it with its domain route; the local
 * stack (`npm start`) then serves it. Extra arguments go to `onnxless train`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV, optionalString } from '../lib/core/config/env';
import { setModelEntry } from '../lib/core/registry';
import { LOCAL_STACK, localS3Env } from '../lib/tools/local/localStack';
import { LocalStore } from '../lib/tools/local/LocalStore';

const root = fileURLToPath(new URL('..', import.meta.url));
const config = optionalString(ENV.config) ?? 'serverless.yml';
const model = optionalString(ENV.trainModel) ?? 'dense';
// A model directory: model.onnx and the loss curve beside it (model.loss.svg), pushed together,
// so the playground's page for the model shows the curve with its training facts.
const modelDir = join(LOCAL_STACK.modelsDir, model);
const out = join(modelDir, 'model.onnx');
const cli = join(root, 'bin/onnxless.mjs');

/** Asynchronous on purpose: the local S3 server may be running in this very process. */
function run(args: string[]): Promise<void> {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, ...localS3Env() } });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`onnxless ${args[0]} failed (exit ${code})`))));
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.end(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function main(): Promise<void> {
  mkdirSync(modelDir, { recursive: true });
  await run(['train', '--out', out, ...process.argv.slice(2)]);
  // Push into the running local stack, or start its S3 server just for the push.
  const store = (await listening(LOCAL_STACK.s3Port)) ? undefined : new LocalStore();
  await store?.start();
  try {
    await run(['push', modelDir, '--model', model, '--local', '--config', config]);
  } finally {
    await store?.stop();
  }
  await setModelEntry(
    join(root, config),
    model,
    { handler: 'handlers/dense-regression.handler' },
    { env: { ...process.env, ...localS3Env() } },
  );
  const base = `http://localhost:${LOCAL_STACK.httpPort}`;
  console.log(`\nregistered '${model}' with its domain route. Start (or restart) the local stack: npm start`);
  console.log(
    `  curl -s -X POST ${base}/models/${model}/predict -H 'content-type: application/json' -d '[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1.0]'`,
  );
}

main().catch((err: unknown) => {
  console.error(`npm run train: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
