import type { FloatArray } from './DenseNetwork';
import { TrainingConfigError } from './errors';

/** Applies one update to the parameters in place, given their gradients (same order). */
export interface Optimizer {
  step(parameters: readonly FloatArray[], gradients: readonly FloatArray[]): void;
}

/** How many training samples one step sees: all of them, one, or `--batch-size` (default 32). */
export type BatchPolicy = 'full' | 'single' | 'chosen';

export interface OptimizerSpec {
  readonly description: string;
  readonly batchPolicy: BatchPolicy;
  readonly create: (learningRate: number) => Optimizer;
}

/** PyTorch's torch.optim.Adam defaults. */
export const adamDefaults = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;

/** Batch size when `--batch-size` is not given for minibatch and adam (PyTorch DataLoader users' usual choice). */
export const defaultBatchSize = 32;

/**
 * p <- p - lr * g, the update of torch.optim.SGD without momentum. The product and sum are
 * taken in double and rounded once into the float32 parameter (as a fused multiply-add would).
 */
function gradientDescent(learningRate: number): Optimizer {
  return {
    step(parameters, gradients) {
      parameters.forEach((p, k) => {
        const g = gradients[k]!;
        for (let i = 0; i < p.length; i++) p[i] = p[i]! - learningRate * g[i]!;
      });
    },
  };
}

/**
 * Adam (Kingma & Ba 2015) as torch.optim.Adam computes it, step t from 1:
 *   m <- beta1 m + (1 - beta1) g          v <- beta2 v + (1 - beta2) g^2
 *   stepSize = lr / (1 - beta1^t)         denom = sqrt(v) / sqrt(1 - beta2^t) + eps
 *   p <- p - stepSize * m / denom
 * m and v live in float32 arrays like the parameters, so each is rounded when stored.
 */
function adam(learningRate: number): Optimizer {
  const { beta1, beta2, epsilon } = adamDefaults;
  let t = 0;
  let firstMoments: Float32Array[] = [];
  let secondMoments: Float32Array[] = [];
  return {
    step(parameters, gradients) {
      if (t === 0) {
        firstMoments = parameters.map((p) => new Float32Array(p.length));
        secondMoments = parameters.map((p) => new Float32Array(p.length));
      }
      t += 1;
      const stepSize = learningRate / (1 - beta1 ** t);
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
      parameters.forEach((p, k) => {
        const g = gradients[k]!;
        const m = firstMoments[k]!;
        const v = secondMoments[k]!;
        for (let i = 0; i < p.length; i++) {
          m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
          v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! * g[i]!;
          const denom = Math.fround(Math.sqrt(v[i]!) / biasCorrection2Sqrt) + epsilon;
          p[i] = p[i]! - (stepSize * m[i]!) / denom;
        }
      });
    },
  };
}

/** Every optimizer `--optimizer` accepts; an unknown name fails listing these. */
export const optimizers = {
  adam: {
    description: 'Adam (beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected) on mini-batches',
    batchPolicy: 'chosen',
    create: adam,
  },
  sgd: {
    description: 'stochastic gradient descent: one update per training sample',
    batchPolicy: 'single',
    create: gradientDescent,
  },
  batch: {
    description: 'batch gradient descent: one update per epoch, gradient averaged over the whole training set',
    batchPolicy: 'full',
    create: gradientDescent,
  },
  minibatch: {
    description: 'mini-batch gradient descent: one update per batch of --batch-size samples',
    batchPolicy: 'chosen',
    create: gradientDescent,
  },
} as const satisfies Record<string, OptimizerSpec>;

export type OptimizerName = keyof typeof optimizers;
export const optimizerNames = Object.freeze(Object.keys(optimizers) as OptimizerName[]);

export function isOptimizerName(name: string): name is OptimizerName {
  return Object.hasOwn(optimizers, name);
}

export function optimizerSpec(name: string): OptimizerSpec {
  if (!isOptimizerName(name)) {
    throw new TrainingConfigError('optimizer', `unknown name '${name}'; valid: ${optimizerNames.join(', ')}`);
  }
  return optimizers[name];
}

/**
 * Samples per step for an optimizer. A `--batch-size` that the optimizer would ignore is an
 * error, not a silent surprise.
 */
export function resolveBatchSize(name: string, requested: number | undefined, trainCount: number): number {
  const { batchPolicy } = optimizerSpec(name);
  if (batchPolicy === 'chosen') return Math.min(requested ?? defaultBatchSize, trainCount);
  const fixed = batchPolicy === 'full' ? trainCount : 1;
  if (requested !== undefined && requested !== fixed) {
    throw new TrainingConfigError(
      'batch-size',
      `optimizer '${name}' always uses ${batchPolicy === 'full' ? 'the whole training set' : '1 sample'} per step; ` +
        `drop --batch-size or use --optimizer minibatch or adam`,
    );
  }
  return fixed;
}
