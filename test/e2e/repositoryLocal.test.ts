import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { LocalStackProcess } from '../support/localStackProcess';
import { runOnnxless } from '../support/onnxlessCli';
import { addConstantModel } from '../support/repositoryModels';
import { tempDir } from '../support/testHandler';

/**
 * A kind: repository entry on `npm start` as a user meets it: the entry added to serverless.yml,
 * the stack started once, models added with `npx onnxless push --repository --local` while it
 * runs, each answering over HTTP within the index's TTL, no restart.
 */
const dir = tempDir('onnxless-repository-e2e-');
let stack: LocalStackProcess;

beforeAll(async () => {
  stack = await LocalStackProcess.create(join(dir, 'local'));
  const doc = parseDocument(readFileSync(stack.configPath, 'utf8'));
  doc.setIn(['custom', 'onnxless', 'models', 'customers'], {
    kind: 'repository',
    prefix: 's3://${self:custom.onnxless.bucket.name}/customers/',
    indexTtlSeconds: 1,
  });
  writeFileSync(stack.configPath, doc.toString());
  await stack.start();
}, 400_000);

afterAll(async () => {
  await stack?.stop();
  stack?.dispose();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function infer(model: string): Promise<{ status: number; body: { outputs?: Array<{ data: number[] }>; error?: string } }> {
  const res = await fetch(`${stack.baseUrl}/v2/models/${model}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [0, 1, 2] }] }),
  });
  return { status: res.status, body: (await res.json()) as { outputs?: Array<{ data: number[] }>; error?: string } };
}

describe('a model repository on npm start', () => {
  it('serves models pushed with push --repository --local while it runs, each its own output, without a restart', async () => {
    // The banner names the repository and how to add a model to it.
    expect(stack.output).toMatch(/customers +http:\/\/localhost:\d+\/v2\/models\/\{model\}: repository/);
    expect(stack.output).toContain('npx onnxless push <file|dir> --model <name> --repository customers --local');
    expect((await infer('plus3')).status).toBe(404);
    const s3Endpoint = `http://127.0.0.1:${stack.env.ONNXLESS_LOCAL_S3_PORT}`;
    for (const c of [3, 4]) {
      const file = join(dir, `plus${c}.onnx`);
      writeFileSync(file, addConstantModel(c));
      const push = await runOnnxless(
        ['push', file, '--model', `plus${c}`, '--repository', 'customers', '--local', '--config', stack.configPath],
        s3Endpoint,
        stack.env,
      );
      expect(push.code, push.output).toBe(0);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    for (const c of [3, 4]) {
      const { status, body } = await infer(`plus${c}`);
      expect(status, JSON.stringify(body)).toBe(200);
      expect(body.outputs![0]!.data).toEqual([c, c + 1, c + 2]);
    }
    // `onnxless models` lists them with the registry's, their files checked against the index's pins.
    const models = await runOnnxless(['models', '--local', '--config', stack.configPath], s3Endpoint, stack.env);
    expect(models.output).toMatch(/plus3 +ok +repository customers +s3:\/\/\S+\/customers\/plus3\/1\//);
    expect(models.output).toMatch(/plus4 +ok +repository customers/);
    // The single models of the registry keep their own functions beside it.
    expect((await fetch(`${stack.baseUrl}/v2/models/tiny`)).status).toBe(200);
  }, 240_000);
});
