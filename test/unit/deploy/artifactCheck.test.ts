import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactProblem } from '../../../lib/tools/deploy/artifactCheck';
import { writeZip } from '../../../lib/tools/deploy/zip';

describe('the package step checks each function zip', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'onnxless-artifacts-'));
    await writeFile(path.join(dir, 'bundle.cjs'), 'exports.handler = async () => ({ statusCode: 200 });');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes a zip that holds its handler bundle', async () => {
    const zip = path.join(dir, 'ok.zip');
    await writeZip([{ source: path.join(dir, 'bundle.cjs'), target: 'handlers/predict.cjs' }], zip);
    expect(await artifactProblem('predict', zip, 'handlers/predict.cjs')).toBeUndefined();
  });

  it('names the function and the missing file when the bundle has another name', async () => {
    const zip = path.join(dir, 'other.zip');
    await writeZip([{ source: path.join(dir, 'bundle.cjs'), target: 'handlers/predict.js' }], zip);
    expect(await artifactProblem('predict', zip, 'handlers/predict.cjs')).toMatch(
      /^function predict: its zip .*other\.zip lacks handlers\/predict\.cjs, .*holds handlers\/predict\.js/,
    );
  });

  it('names the function when its zip is empty', async () => {
    const zip = path.join(dir, 'empty.zip');
    await writeZip([], zip);
    expect(await artifactProblem('tiny', zip, '.onnxless/handlers/tensor.cjs')).toMatch(
      /^function tiny: its zip .*empty\.zip is empty; check custom\.esbuild/,
    );
  });

  it('names the function when its zip is not a zip', async () => {
    const zip = path.join(dir, 'garbage.zip');
    await writeFile(zip, 'not a zip');
    expect(await artifactProblem('tiny', zip, 'x.cjs')).toMatch(/^function tiny: cannot read /);
  });
});
