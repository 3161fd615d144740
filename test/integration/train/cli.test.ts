import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Black box: the real entry point, `node bin/onnxless.mjs train ...`, in a child process. */
const bin = resolve(import.meta.dirname, '../../../bin/onnxless.mjs');
const run = promisify(execFile);

async function onnxless(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnxless-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('onnxless train', () => {
  it('writes the model and its loss curve and reports the validation MSE', async () => {
    const out = join(dir, 'm.onnx');
    const { code, stdout, stderr } = await onnxless(['train', '--epochs', '20', '--out', out]);

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const svg = await readFile(join(dir, 'm.loss.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(stdout).toMatch(/^epoch\s+1\/20 +train MSE [\d.]+ +val MSE [\d.]+$/m);
    expect(stdout).toMatch(/^epoch 20\/20 /m);
    const reported = /^validation MSE ([\d.e-]+) \(train MSE [\d.e-]+\) after 20 epochs/m.exec(stdout);
    expect(reported).not.toBeNull();
    expect(Number(reported![1])).toBeLessThan(1);
  });

  it('trains on a CSV file, its widths taken from --layers', async () => {
    const rows = Array.from({ length: 40 }, (_, n) => {
      const a = (n % 7) / 7;
      const b = (n % 5) / 5;
      return `${a},${b},${2 * a - b + 0.5}`;
    });
    const data = join(dir, 'plane.csv');
    await writeFile(data, ['a,b,y', ...rows].join('\n'));
    const out = join(dir, 'plane.onnx');

    const { code, stdout } = await onnxless([
      'train',
      '--data',
      data,
      '--layers',
      '2,1',
      '--optimizer',
      'batch',
      '--lr',
      '0.1',
      '--epochs',
      '50',
      '--out',
      out,
    ]);

    expect(code).toBe(0);
    expect(stdout).toContain(`on ${data}: 32 train / 8 validation samples`);
    expect(existsSync(out)).toBe(true);
  });

  it('fails with exit code 1 listing the valid optimizers for an unknown one', async () => {
    const out = join(dir, 'never.onnx');
    const { code, stderr } = await onnxless(['train', '--optimizer', 'rmsprop', '--out', out]);
    expect(code).toBe(1);
    expect(stderr).toContain("optimizer: unknown name 'rmsprop'; valid: adam, sgd, batch, minibatch");
    expect(existsSync(out)).toBe(false);
  });

  it('fails naming the line and column of a bad CSV value', async () => {
    const data = join(dir, 'bad.csv');
    await writeFile(data, 'a,b,y\n1,2,3\n4,five,6\n');
    const { code, stderr } = await onnxless(['train', '--data', data, '--layers', '2,1', '--out', join(dir, 'bad.onnx')]);
    expect(code).toBe(1);
    expect(stderr).toContain("(line 3, column 'b'): 'five' is not a number");
  });
});
