import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainingConfigError } from '../../../lib/tools/train/errors';
import { trainAndExport, trainDefaults } from '../../../lib/tools/train/trainAndExport';

/**
 * The synthetic task's noise has standard deviation 0.1 (MSE floor 0.01) and its sine term
 * adds about 0.027 that a linear network cannot fit, so a network without ReLU (the default)
 * bottoms out near 0.037; an untrained network starts above 1. 0.05 leaves margin above the
 * floor and is far below where training starts.
 */
const validationThreshold = 0.05;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnxless-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function weightBytes(parameters: ArrayLike<number>[]): Buffer {
  return Buffer.concat(parameters.map((p) => Buffer.from(new Float32Array(p).buffer)));
}

describe('trainAndExport on the synthetic task', () => {
  it(`brings validation MSE below ${validationThreshold} with the defaults (10-20-10, adam, lr 0.001, 1000 epochs, seed 42)`, async () => {
    // act
    const result = await trainAndExport({ out: join(dir, 'defaults.onnx') });

    // assess
    expect(result.options).toMatchObject({
      layers: [10, 20, 10],
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 1000,
      seed: trainDefaults.seed,
    });
    expect(result.history.validationLoss).toHaveLength(1000);
    expect(result.trainCount).toBe(800);
    expect(result.validationCount).toBe(200);
    expect(result.history.validationLoss[0]).toBeGreaterThan(0.5);
    expect(result.finalValidationLoss).toBeLessThan(validationThreshold);
    expect(result.finalTrainLoss).toBeLessThan(validationThreshold);
    // the reported final loss is the last epoch's
    expect(result.finalValidationLoss).toBe(result.history.validationLoss.at(-1));
  });

  it('gives bitwise identical weights for the same seed, and different weights for another seed', async () => {
    const options = { epochs: 30, relu: true };
    const first = await trainAndExport({ ...options, out: join(dir, 'a.onnx') });
    const second = await trainAndExport({ ...options, out: join(dir, 'b.onnx') });
    const other = await trainAndExport({ ...options, seed: trainDefaults.seed + 1, out: join(dir, 'c.onnx') });

    expect(weightBytes(first.network.parameters()).equals(weightBytes(second.network.parameters()))).toBe(true);
    expect(first.history).toEqual(second.history);
    expect(weightBytes(first.network.parameters()).equals(weightBytes(other.network.parameters()))).toBe(false);
  });

  it.each([
    { optimizer: 'batch', learningRate: 0.2, epochs: 100 },
    { optimizer: 'minibatch', learningRate: 0.05, epochs: 20 },
    { optimizer: 'sgd', learningRate: 0.005, epochs: 5 },
  ])(`brings validation MSE below ${validationThreshold} with $optimizer (lr $learningRate, $epochs epochs)`, async (settings) => {
    const result = await trainAndExport({ ...settings, out: join(dir, `${settings.optimizer}.onnx`) });
    expect(result.history.validationLoss[0]).toBeGreaterThan(validationThreshold);
    expect(result.finalValidationLoss).toBeLessThan(validationThreshold);
  });

  it('fails naming the setting for options that cannot work', async () => {
    const out = join(dir, 'bad.onnx');
    await expect(trainAndExport({ out, optimizer: 'rmsprop' })).rejects.toThrow(
      "optimizer: unknown name 'rmsprop'; valid: adam, sgd, batch, minibatch",
    );
    await expect(trainAndExport({ out, learningRate: -1 })).rejects.toThrow(TrainingConfigError);
    await expect(trainAndExport({ out, layers: [10] })).rejects.toThrow(/^layers: /);
    await expect(trainAndExport({ out, epochs: 1.5 })).rejects.toThrow(/^epochs: /);
    await expect(trainAndExport({ out, optimizer: 'sgd', batchSize: 8 })).rejects.toThrow(/^batch-size: /);
  });
});
