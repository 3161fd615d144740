import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalS3, TEST_CREDENTIALS, type LocalS3 } from '../../support/localS3';
import { httpApiEvent } from '../../support/httpApiEvent';
import { readStages } from './dockerfile';
import { REPO, tempDir } from './helpers';
import { batchableModel } from './models';

/** No Docker engine here: each image's own commands run outside Docker, as its Dockerfile says. */
describe('images/Dockerfile.lambda', () => {
  const args = { MODEL_NAME: 'big', MODEL_URI: 's3://models/big/1/model.onnx', HANDLER: 'handlers/tensor.handler', ARCH: process.arch };
  const [build, runtime] = readStages(join(REPO, 'images/Dockerfile.lambda'), args);
  let s3: LocalS3;
  let taskRoot: string;

  beforeAll(async () => {
    s3 = await startLocalS3(['models']);
    await s3.put('models', 'big/1/model.onnx', batchableModel());
    // The build stage's own build command, with the image's task root swapped for a temp folder.
    taskRoot = tempDir('lambda-task-');
    const command = build!.runs.find((r) => r.startsWith('node images/lambda/build.mjs'))!;
    execFileSync('sh', ['-c', command.replace(' /task ', ` ${taskRoot} `)], { cwd: REPO, stdio: 'pipe' });
  });

  afterAll(async () => {
    await s3?.close();
  });

  it("builds on AWS's Node.js 22 Lambda base, with the handler picked by build arg behind a fixed CMD", () => {
    expect(runtime!.from).toBe('public.ecr.aws/lambda/nodejs:22');
    expect(runtime!.cmd).toEqual(['index.handler']);
    expect(readFileSync(join(taskRoot, 'index.js'), 'utf8')).toContain("require('./handlers/tensor.js').handler");
    // Only linux/<arch> of onnxruntime's binaries travel.
    expect(existsSync(join(taskRoot, 'node_modules/onnxruntime-node/bin/napi-v6/linux', process.arch))).toBe(true);
    expect(existsSync(join(taskRoot, 'node_modules/onnxruntime-node/bin/napi-v6/win32'))).toBe(false);
  });

  it('chooses the weights per model: an S3 URI is fetched at init, no URI means the baked-in file', () => {
    expect(runtime!.env).toMatchObject({
      ONNXLESS_MODEL_NAME: 'big',
      ONNXLESS_MODEL_URI: 's3://models/big/1/model.onnx',
      ONNXLESS_EAGER: 'true',
    });
    const [, baked] = readStages(join(REPO, 'images/Dockerfile.lambda'), { MODEL_NAME: 'big', MODEL_DIR: 'models/big' });
    expect(baked!.env.ONNXLESS_MODEL_URI).toBe('file:///opt/onnxless/model/');
    expect(baked!.copies).toContain('models/big/ /opt/onnxless/model/');
  });

  it('answers an API Gateway event through the built task root, as the Lambda runtime would load it', async () => {
    const event = httpApiEvent('POST', '/v2/models/big/infer', {
      body: JSON.stringify({
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [1, 16], data: Array.from({ length: 16 }, (_, i) => i) },
          { name: 'ids', datatype: 'INT32', shape: [1, 4], data: [1, 2, 3, 4] },
        ],
      }),
    });
    // The runtime `require`s <task root>/index.js and calls `handler(event, context)`.
    const script = `require(${JSON.stringify(join(taskRoot, 'index.js'))}).handler(${JSON.stringify(event)}, { awsRequestId: 'r1', getRemainingTimeInMillis: () => 30000 }).then((r) => process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'))`;
    // Asynchronously: the local S3 server answering the init-time fetch lives in this process.
    const run = await promisify(execFile)('node', ['-e', script], {
      env: {
        PATH: process.env.PATH,
        ...runtime!.env,
        ONNXLESS_CACHE_DIR: tempDir(),
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      },
      encoding: 'utf8',
      timeout: 30_000,
    }).catch((err: { stdout: string; stderr: string }) => err);
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, run.stderr).toBeDefined();
    const result = JSON.parse(line!.slice('RESULT '.length));
    expect(result.statusCode, result.body + run.stdout).toBe(200);
    const body = JSON.parse(result.body);
    expect(body.model_name).toBe('big');
    expect(body.outputs.find((o: { name: string }) => o.name === 'scaled').data).toEqual([3, 6, 9, 12]);
  });
});

describe('images/Dockerfile.gpu (read, not built: no Docker engine here)', () => {
  const stages = readStages(join(REPO, 'images/Dockerfile.gpu'));
  const text = readFileSync(join(REPO, 'images/Dockerfile.gpu'), 'utf8');

  it('runs on a CUDA 12 + cuDNN runtime image with the official Node.js 22 binary', () => {
    expect(stages.at(-1)!.from).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-/);
    expect(stages[0]!.from).toMatch(/^node:22-/);
    expect(text).toContain('COPY --from=deps /usr/local/bin/node /usr/local/bin/node');
  });

  it("installs onnxruntime-node's CUDA 12 provider and checks it is there", () => {
    const install = stages[0]!.runs.find((r) => r.includes('ONNXRUNTIME_NODE_INSTALL=cuda12'));
    expect(install).toContain('node script/install.js');
    expect(install).toContain('test -f bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so');
  });

  it('serves on 8080 with CUDA for every model, failing loudly rather than silently on CPU', () => {
    expect(text).toMatch(/^EXPOSE 8080$/m);
    expect(stages.at(-1)!.env).toMatchObject({ ONNXLESS_EXECUTION_PROVIDERS: 'cuda', ONNXLESS_CPU_FALLBACK: 'false' });
    // Compiled JavaScript (test/shipped/images.test.ts assembles the tree and runs it).
    expect([...stages.at(-1)!.entrypoint, ...stages.at(-1)!.cmd]).toEqual(['node', 'dist/onnxless.mjs', 'serve', '--port', '8080']);
  });
});
