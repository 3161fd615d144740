import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModel, modelFilesAt } from '../../lib/tools/store/inspectModel';
import { pushModel } from '../../lib/tools/store/pushModel';
import { startPackagedFunction, type LambdaSandbox } from '../integration/deploy/lambdaSandbox';
import { lambdaFunction, type CfnTemplate } from '../integration/deploy/serviceFixture';
import { httpApiEvent, jsonBody, type Result } from '../support/httpApiEvent';
import { startLocalS3, type LocalS3 } from '../support/localS3';
import { freePort } from '../support/localStackProcess';
import { packFramework, run, runOk, scaffold, startStack, userEnv, userModel, workDir } from './userProject';

/**
 * onnxless as a user meets it (issue 24): the framework packed, a project of the user's own
 * scaffolded outside this repository, the tarball installed there by npm, then the user's
 * commands: the scaffold's own tests, the local stack with a model of the user's own pushed to it,
 * `serverless package`, and every function run from its zip and layers as Lambda lays them out.
 */

// One packed tarball for both projects: packing builds the whole framework (~10 s quiet, far more
// beside the rest of the suite on 2 cores), and both install the same bytes.
let packDir: string | undefined;
let packed: Promise<string> | undefined;
function tarballOnce(): Promise<string> {
  return (packed ??= workDir().then((dir) => ((packDir = dir), packFramework(dir))));
}
afterAll(async () => {
  if (packDir) await rm(packDir, { recursive: true, force: true });
});

describe('a project of its own: onnxless init, installed from the packed tarball (npm 11)', () => {
  let work: string;
  let tarball: string;
  let project: string;

  beforeAll(async () => {
    work = await workDir();
    tarball = await tarballOnce();
    project = path.join(work, 'my-api');
    await scaffold(project, tarball);
  }, 900_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('depends on the tarball and holds none of this repository', async () => {
    const manifest = JSON.parse(await readFile(path.join(project, 'package.json'), 'utf8'));
    expect(manifest.dependencies.onnxless).toBe(`file:${tarball}`);
    const installed = JSON.parse(await readFile(path.join(project, 'node_modules/onnxless/package.json'), 'utf8'));
    expect(installed.name).toBe('onnxless');
    // A real install, not a link back into the checkout; shipped JavaScript only.
    expect(existsSync(path.join(project, 'node_modules/onnxless/dist/lambda.mjs'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules/onnxless/dist/types/lib/lambda/index.d.ts'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules/onnxless/lib'))).toBe(false);
    expect(existsSync(path.join(project, 'node_modules/onnxless/test'))).toBe(false);
  });

  it("scaffolds through npm exec of the package, as `npm create onnxless` runs it, with the README's flag for Linux x64", async () => {
    // Without --onnxruntime-node-install=skip npm runs onnxruntime-node's install script in npx's
    // folder, which on linux/x64 downloads CUDA libraries (here: unreachable, npm exits 1 silently).
    const dir = path.join(work, 'via-npm-exec');
    await runOk(
      'npx',
      ['--yes', '--onnxruntime-node-install=skip', '--package', tarball, 'onnxless', 'init', dir, '--no-install', '--onnxless', tarball],
      { cwd: work, env: userEnv(), timeoutMs: 600_000 },
    );
    for (const file of ['serverless.yml', '.npmrc', 'package.json', 'handlers/predict.ts'])
      expect([file, existsSync(path.join(dir, file))]).toEqual([file, true]);
    expect(await readFile(path.join(dir, '.npmrc'), 'utf8')).toMatch(/onnxruntime-node-install=skip/);
  }, 600_000);

  it("passes the scaffold's own npm test", async () => {
    const output = await runOk('npm', ['test'], { cwd: project, env: userEnv(), timeoutMs: 300_000 });
    expect(output).toMatch(/pass|✓/i);
  }, 300_000);

  it('type-checks the handler it scaffolds against the shipped .d.ts', async () => {
    const tsc = path.join(project, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit'], { cwd: project, env: userEnv() });
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);

  describe('serverless package, every function run from its own zip and layers on Node 22', () => {
    let out: string;
    let template: CfnTemplate;
    let s3: LocalS3;
    const sandboxes: LambdaSandbox[] = [];

    beforeAll(async () => {
      out = path.join(project, '.serverless');
      await runOk('npx', ['serverless', 'package'], {
        cwd: project,
        env: userEnv({
          AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPACKAGING',
          AWS_SECRET_ACCESS_KEY: 'offline',
          AWS_REGION: 'us-east-1',
          AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        }),
        timeoutMs: 300_000,
      });
      template = JSON.parse(await readFile(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
      const uri = new URL(lambdaFunction(template, 'example').Properties.Environment.Variables.ONNXLESS_MODEL_URI as string);
      s3 = await startLocalS3([uri.host]);
      const { files } = await modelFilesAt(path.join(project, 'models/example'));
      await pushModel(s3.setupClient, await inspectModel(files, 'example'), { bucket: uri.host, prefix: uri.pathname.slice(1) });
    }, 600_000);

    afterAll(async () => {
      for (const sandbox of sandboxes) await sandbox.stop();
      await s3?.close();
    });

    async function startFunction(key: string): Promise<LambdaSandbox> {
      const sandbox = await startPackagedFunction({
        template,
        out,
        key,
        layerZip: (file) => path.join(project, 'layers', file.replace(/-(x86_64|arm64)\.zip$/, ''), 'dist', file),
        s3Endpoint: s3.endpoint,
        cacheDir: path.join(work, 'cache', key),
      });
      sandboxes.push(sandbox);
      return sandbox;
    }

    it("runs the generic tensor handler from the package, with no file in the user's project", async () => {
      expect(existsSync(path.join(project, 'handlers/tensor.ts'))).toBe(false);
      const sandbox = await startFunction('example');
      const infer = { inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] };
      const result = (await sandbox.invoke(httpApiEvent('POST', '/v2/models/example/infer', { body: JSON.stringify(infer) }))) as Result;
      expect(result.statusCode, result.body).toBe(200);
      expect(jsonBody(result).outputs[0]).toMatchObject({ name: 'y', shape: [1, 2], data: [10, 2.5] });
    }, 120_000);

    it("runs the user's own handler from handlers/, and answers bad input with a 400", async () => {
      const sandbox = await startFunction('example-predict');
      const ok = (await sandbox.invoke(
        httpApiEvent('POST', '/models/example-predict/predict', {
          body: JSON.stringify({ x: [[1, 2, 3, 4]] }),
          headers: { 'content-type': 'application/json' },
        }),
      )) as Result;
      expect(ok.statusCode, ok.body).toBe(200);
      expect(JSON.stringify(jsonBody(ok))).toContain('10');
      const bad = (await sandbox.invoke(
        httpApiEvent('POST', '/models/example-predict/predict', {
          body: JSON.stringify({ x: 'four numbers' }),
          headers: { 'content-type': 'application/json' },
        }),
      )) as Result;
      expect(bad.statusCode, bad.body).toBe(400);
      expect(jsonBody(bad).error).toEqual(expect.any(String));
    }, 120_000);

    it('serves /docs and /playground with their files from the server function zip', async () => {
      const sandbox = await startFunction('server');
      for (const page of ['/docs', '/playground']) {
        const result = (await sandbox.invoke(httpApiEvent('GET', page))) as Result;
        expect(result.statusCode, `${page}: ${result.body.slice(0, 200)}`).toBe(200);
        const assets = [...result.body.matchAll(/(?:src|href)="\/?(web\/[^"]+)"/g)].map((m) => `/${m[1]!}`);
        expect(assets.length, page).toBeGreaterThan(0);
        for (const asset of assets) {
          const file = (await sandbox.invoke(httpApiEvent('GET', asset.replace(/\?.*$/, '')))) as Result;
          expect([asset, file.statusCode]).toEqual([asset, 200]);
        }
      }
    }, 120_000);
  });

  describe('npm start, with a model of the user own pushed to it', () => {
    let ports: Record<string, string>;
    let stack: Awaited<ReturnType<typeof startStack>> | undefined;

    beforeAll(async () => {
      ports = {
        ONNXLESS_LOCAL_S3_PORT: String(await freePort()),
        ONNXLESS_LOCAL_HTTP_PORT: String(await freePort()),
        ONNXLESS_LOCAL_LAMBDA_PORT: String(await freePort()),
      };
    });

    afterAll(async () => {
      await stack?.stop();
    });

    it('answers the scaffolded example out of the box', async () => {
      stack = await startStack(project, ports);
      const base = `http://localhost:${ports.ONNXLESS_LOCAL_HTTP_PORT}`;
      const infer = await fetch(`${base}/v2/models/example/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }),
      });
      expect(infer.status, await infer.clone().text()).toBe(200);
      expect(((await infer.json()) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data).toEqual([10, 2.5]);
      // Binary bodies arrive as API Gateway sends them (the emulator's encoding fix shipped with the package).
      const raw = await fetch(`${base}/v2/models/example/infer`, { method: 'POST', body: new Uint8Array([0xff, 0xfe, 0x00]) });
      expect(raw.status).toBe(400);
    }, 300_000);

    it("runs one function with serverless invoke local, against the stack's S3 server", async () => {
      const event = httpApiEvent('POST', '/v2/models/example/infer', {
        body: JSON.stringify({ inputs: [{ name: 'x', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4, 0, 0, 0, 8] }] }),
      });
      const output = await runOk('npx', ['serverless', 'invoke', 'local', '-f', 'example', '--data', JSON.stringify(event)], {
        cwd: project,
        env: userEnv({
          AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${ports.ONNXLESS_LOCAL_S3_PORT}`,
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
          AWS_REGION: 'us-east-1',
          ONNXLESS_CACHE_DIR: path.join(work, 'invoke-cache'),
        }),
        timeoutMs: 180_000,
      });
      // The function's own log lines come first, one JSON object each; the result is printed last, indented.
      const printed = [...output.matchAll(/^\{\n[\s\S]*?^\}$/gm)].at(-1)?.[0];
      expect(printed, output.slice(-2000)).toBeDefined();
      const result = JSON.parse(printed!) as Result;
      expect(result.statusCode, output.slice(-2000)).toBe(200);
      expect(jsonBody(result).outputs[0]).toMatchObject({ name: 'y', shape: [2, 2], data: [10, 2.5, 8, 2] });
    }, 300_000);

    it("serves the same models with onnxless serve --local, the project handler's model on its OIP routes", async () => {
      // Its own process group: npx does not pass SIGTERM on to the server it started, which
      // outlived the test before.
      const serve = spawn('npx', ['onnxless', 'serve', '--local', '--port', '0', '--workers', '1'], {
        cwd: project,
        env: userEnv(ports),
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let output = '';
      serve.stdout.on('data', (c: Buffer) => (output += c.toString()));
      serve.stderr.on('data', (c: Buffer) => (output += c.toString()));
      try {
        const deadline = Date.now() + 120_000;
        while (!/"message":"listening"/.test(output) && Date.now() < deadline && serve.exitCode === null)
          await new Promise((r) => setTimeout(r, 200));
        const port = /"message":"listening".*?"port":(\d+)/.exec(output)?.[1];
        expect(port, output.slice(-3000)).toBeDefined();
        expect(output).toMatch(/model 'example-predict': its handler's pipeline 'predict' is the project's own/);
        for (const model of ['example', 'example-predict']) {
          const infer = await fetch(`http://127.0.0.1:${port}/v2/models/${model}/infer`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }),
          });
          expect([model, infer.status]).toEqual([model, 200]);
          expect(((await infer.json()) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data).toEqual([10, 2.5]);
        }
      } finally {
        if (serve.exitCode === null && serve.signalCode === null) {
          const exited = new Promise((r) => serve.once('exit', r));
          process.kill(-serve.pid!, 'SIGTERM');
          const timer = setTimeout(() => process.kill(-serve.pid!, 'SIGKILL'), 20_000);
          await exited;
          clearTimeout(timer);
        }
      }
    }, 300_000);

    it('serves a pushed .onnx of the user own after a restart', async () => {
      const file = path.join(work, 'my-model.onnx');
      await writeFile(file, userModel());
      const pushed = await runOk('npx', ['onnxless', 'push', file, '--model', 'mine', '--local'], { cwd: project, env: userEnv(ports) });
      expect(pushed).toMatch(/next: restart the local stack/);
      await stack!.stop();
      stack = await startStack(project, ports);
      const base = `http://localhost:${ports.ONNXLESS_LOCAL_HTTP_PORT}`;
      const meta = (await (await fetch(`${base}/v2/models/mine`)).json()) as { inputs: Array<{ name: string; shape: number[] }> };
      expect(meta.inputs[0]).toMatchObject({ name: 'features', shape: [-1, 3] });
      const infer = await fetch(`${base}/v2/models/mine/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [-1, 0.5, 2] }] }),
      });
      expect(infer.status, await infer.clone().text()).toBe(200);
      expect(((await infer.json()) as { outputs: Array<{ data: number[] }> }).outputs[0]!.data).toEqual([0, 1.5, 6]);
      const models = await runOk('npx', ['onnxless', 'models', '--local'], { cwd: project, env: userEnv(ports) });
      expect(models).toMatch(/^mine\s+ok/m);
    }, 600_000);
  });
});

describe('the same project installed by npm 10, on a machine without CUDA', () => {
  let work: string;
  let project: string;

  beforeAll(async () => {
    work = await workDir();
    const tarball = await tarballOnce();
    project = path.join(work, 'npm10-api');
    await scaffold(project, tarball, { install: false });
  }, 600_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it("installs without running onnxruntime-node's CUDA download, and packages", async () => {
    // npm 10 runs every install script: the scaffold's .npmrc is what keeps the download off.
    await runOk('npx', ['--yes', 'npm@10', 'install', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: project,
      env: userEnv(),
      timeoutMs: 600_000,
    });
    const npmVersion = await runOk('npx', ['--yes', 'npm@10', '--version'], { cwd: project, env: userEnv() });
    expect(npmVersion.trim()).toMatch(/^10\./);
    expect(existsSync(path.join(project, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so'))).toBe(
      false,
    );
    await runOk('npx', ['serverless', 'package'], {
      cwd: project,
      env: userEnv({
        AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPACKAGING',
        AWS_SECRET_ACCESS_KEY: 'offline',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      }),
      timeoutMs: 300_000,
    });
    expect(existsSync(path.join(project, '.serverless/example.zip'))).toBe(true);
    expect(existsSync(path.join(project, '.serverless/example-predict.zip'))).toBe(true);
  }, 900_000);
});
