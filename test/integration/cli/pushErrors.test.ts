import { spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_REGISTRY, freePort, ROOT } from '../../support/localStackProcess';
import { REAL_MODELS } from '../../support/realModels';
import { tempDir } from '../../support/testHandler';

/** `npx onnxless push` as a user runs it, against a copy of the project's serverless.yml. */
function onnxless(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/onnxless.mjs'), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

const dir = tempDir('onnxless-cli-');
const config = join(dir, 'serverless.yml');
copyFileSync(FIXTURE_REGISTRY, config); // the example registry as shipped, never the user's

describe('onnxless push refuses clearly', () => {
  it('a file that does not exist', async () => {
    const { code, output } = await onnxless(['push', join(dir, 'nope.onnx'), '--model', 'm', '--config', config]);
    expect(code).toBe(1);
    expect(output).toContain(`no such file or directory: ${join(dir, 'nope.onnx')}`);
  });

  it('a file that is not an ONNX model', async () => {
    const notModel = join(dir, 'notes.onnx');
    writeFileSync(notModel, 'these are not weights');
    const { code, output } = await onnxless(['push', notModel, '--model', 'm', '--config', config]);
    expect(code).toBe(1);
    expect(output).toContain(`${notModel} is not a valid ONNX model`);
  });

  it('a bucket it cannot reach, naming the bucket and the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const { code, output } = await onnxless(['push', REAL_MODELS.textOrientation, '--model', 'm', '--config', config], {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_REGION: 'us-east-1',
      AWS_MAX_ATTEMPTS: '1',
    });
    expect(code).toBe(1);
    expect(output).toContain(`cannot use bucket 'onnxless-models-dev' at ${endpoint}`);
  });

  it('a model name that cannot be a route', async () => {
    const { code, output } = await onnxless(['push', REAL_MODELS.textOrientation, '--model', 'Bad_Name', '--config', config]);
    expect(code).toBe(1);
    expect(output).toContain("--model 'Bad_Name': expected 1-40 lowercase letters, digits or hyphens");
  });
});
