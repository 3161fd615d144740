import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../lib/tools/train/data';
import { DenseNetwork } from '../../../lib/tools/train/DenseNetwork';
import { TrainingConfigError } from '../../../lib/tools/train/errors';
import { optimizerNames, optimizerSpec, resolveBatchSize } from '../../../lib/tools/train/optimizers';
import { Rng } from '../../../lib/tools/train/Rng';
import { fit } from '../../../lib/tools/train/trainer';

/**
 * The tiny hand-worked problem: one Linear(1, 1), prediction = w x + b, starting at w = 1, b = 0,
 * learning rate 0.1, MSE loss L = mean_n (w x_n + b - y_n)^2, so
 *   dL/dw = mean_n 2 r_n x_n,   dL/db = mean_n 2 r_n,   r_n = w x_n + b - y_n.
 * Each test trains through `fit` (no shuffling) and records w and b after the first two steps.
 * Expected values below were worked out by hand from the update rules; float32 storage makes
 * the code's values differ from them by a few units in the 7th significant digit at most.
 */
const learningRate = 0.1;

function dataset(points: Array<[x: number, y: number]>): Dataset {
  return {
    count: points.length,
    featureCount: 1,
    targetCount: 1,
    features: Float32Array.from(points.map(([x]) => x)),
    targets: Float32Array.from(points.map(([, y]) => y)),
  };
}

async function firstTwoSteps(optimizer: string, points: Array<[number, number]>, batchSize?: number) {
  const network = new DenseNetwork([{ inFeatures: 1, outFeatures: 1, weight: Float32Array.of(1), bias: Float32Array.of(0) }], false);
  const data = dataset(points);
  const steps: Array<{ w: number; b: number }> = [];
  await fit(
    network,
    { train: data, validation: data },
    {
      optimizer,
      learningRate,
      batchSize,
      epochs: 2,
      shuffle: false,
      rng: new Rng(0),
      onStep: (step, net) => {
        if (step <= 2) steps.push({ w: net.layers[0]!.weight[0]!, b: net.layers[0]!.bias[0]! });
      },
    },
  );
  return steps;
}

function expectNear(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
}

describe('optimizers, first two steps on a 1 -> 1 linear layer', () => {
  it('batch: one step per epoch with the gradient averaged over both points', async () => {
    // Points (1, 2), (2, 3).
    // Step 1: r = (1*1+0-2, 1*2+0-3) = (-1, -1)
    //   dL/dw = (2*-1*1 + 2*-1*2)/2 = -3,  dL/db = (2*-1 + 2*-1)/2 = -2
    //   w = 1 - 0.1*-3 = 1.3,  b = 0 - 0.1*-2 = 0.2
    // Step 2: r = (1.3+0.2-2, 2.6+0.2-3) = (-0.5, -0.2)
    //   dL/dw = (2*-0.5*1 + 2*-0.2*2)/2 = -0.9,  dL/db = (2*-0.5 + 2*-0.2)/2 = -0.7
    //   w = 1.3 + 0.09 = 1.39,  b = 0.2 + 0.07 = 0.27
    const [first, second] = await firstTwoSteps('batch', [
      [1, 2],
      [2, 3],
    ]);
    expectNear(first?.w, 1.3);
    expectNear(first?.b, 0.2);
    expectNear(second?.w, 1.39);
    expectNear(second?.b, 0.27);
  });

  it('sgd: one step per sample, in order', async () => {
    // Step 1 on (1, 2): r = 1 - 2 = -1; dL/dw = 2*-1*1 = -2, dL/db = -2
    //   w = 1 + 0.2 = 1.2,  b = 0 + 0.2 = 0.2
    // Step 2 on (2, 3): r = 1.2*2 + 0.2 - 3 = -0.4; dL/dw = 2*-0.4*2 = -1.6, dL/db = 2*-0.4 = -0.8
    //   w = 1.2 + 0.16 = 1.36,  b = 0.2 + 0.08 = 0.28
    const [first, second] = await firstTwoSteps('sgd', [
      [1, 2],
      [2, 3],
    ]);
    expectNear(first?.w, 1.2);
    expectNear(first?.b, 0.2);
    expectNear(second?.w, 1.36);
    expectNear(second?.b, 0.28);
  });

  it('minibatch: one step per batch of --batch-size samples, gradient averaged within the batch', async () => {
    // Points (1, 2), (2, 3), (3, 4), (4, 5), batch size 2.
    // Step 1 on the first two points: same as batch step 1 -> w = 1.3, b = 0.2
    // Step 2 on (3, 4), (4, 5): r = (3.9+0.2-4, 5.2+0.2-5) = (0.1, 0.4)
    //   dL/dw = (2*0.1*3 + 2*0.4*4)/2 = (0.6 + 3.2)/2 = 1.9,  dL/db = (0.2 + 0.8)/2 = 0.5
    //   w = 1.3 - 0.19 = 1.11,  b = 0.2 - 0.05 = 0.15
    const [first, second] = await firstTwoSteps(
      'minibatch',
      [
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
      ],
      2,
    );
    expectNear(first?.w, 1.3);
    expectNear(first?.b, 0.2);
    expectNear(second?.w, 1.11);
    expectNear(second?.b, 0.15);
  });

  it('adam: bias-corrected moments, beta1 0.9, beta2 0.999, eps 1e-8', async () => {
    // Points (1, 2), (2, 3), batch size 2 (the whole set).
    // Step 1 (t = 1): g = (dw, db) = (-3, -2) as in batch step 1
    //   m = 0.1*g = (-0.3, -0.2);  v = 0.001*g^2 = (0.009, 0.004)
    //   stepSize = 0.1/(1-0.9) = 1;  denom = sqrt(v)/sqrt(1-0.999) + 1e-8 = (3.00000001, 2.00000001)
    //   w = 1 - 1*-0.3/3.00000001 = 1.0999999997,  b = 0 - 1*-0.2/2.00000001 = 0.0999999995
    //   (Adam's first step is lr * sign(g), whatever the gradient's size.)
    // Step 2 (t = 2): r = (1.1+0.1-2, 2.2+0.1-3) = (-0.8, -0.7)
    //   dw = (2*-0.8*1 + 2*-0.7*2)/2 = -2.2,  db = (2*-0.8 + 2*-0.7)/2 = -1.5
    //   m = 0.9*m + 0.1*g = (-0.27-0.22, -0.18-0.15) = (-0.49, -0.33)
    //   v = 0.999*v + 0.001*g^2 = (0.008991+0.00484, 0.003996+0.00225) = (0.013831, 0.006246)
    //   stepSize = 0.1/(1-0.81) = 0.1/0.19 = 0.5263157895;  sqrt(1-0.998001) = sqrt(0.001999)
    //   denom_w = sqrt(0.013831/0.001999) = sqrt(6.9189595) = 2.6303915;  denom_b = sqrt(3.1245623) = 1.7676432
    //   w = 1.1 + 0.5263157895*0.49/2.6303915 = 1.1 + 0.0980442 = 1.1980442
    //   b = 0.1 + 0.5263157895*0.33/1.7676432 = 0.1 + 0.0982575 = 0.1982575
    const [first, second] = await firstTwoSteps(
      'adam',
      [
        [1, 2],
        [2, 3],
      ],
      2,
    );
    expectNear(first?.w, 1.1);
    expectNear(first?.b, 0.1);
    expectNear(second?.w, 1.1980442);
    expectNear(second?.b, 0.1982575);
  });
});

describe('optimizer table', () => {
  it('fails on an unknown name, listing the valid ones', () => {
    expect(() => optimizerSpec('rmsprop')).toThrow(TrainingConfigError);
    expect(() => optimizerSpec('rmsprop')).toThrow(/unknown name 'rmsprop'; valid: adam, sgd, batch, minibatch/);
    expect(() => optimizerSpec('toString')).toThrow(/unknown name/);
  });

  it('lists exactly the four optimizers', () => {
    expect([...optimizerNames].sort()).toEqual(['adam', 'batch', 'minibatch', 'sgd']);
  });

  it('fixes the batch size for batch and sgd, and rejects a contradicting --batch-size', () => {
    expect(resolveBatchSize('batch', undefined, 800)).toBe(800);
    expect(resolveBatchSize('sgd', undefined, 800)).toBe(1);
    expect(resolveBatchSize('adam', undefined, 800)).toBe(32);
    expect(resolveBatchSize('minibatch', 64, 800)).toBe(64);
    expect(resolveBatchSize('minibatch', 5000, 800)).toBe(800);
    expect(() => resolveBatchSize('sgd', 16, 800)).toThrow(/batch-size.*sgd.*1 sample/);
    expect(() => resolveBatchSize('batch', 16, 800)).toThrow(/whole training set/);
  });
});
