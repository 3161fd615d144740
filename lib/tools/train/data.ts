import { TrainingConfigError } from './errors';
import { Rng } from './Rng';

/** Samples as row-major float32 matrices: features [count, featureCount], targets [count, targetCount]. */
export interface Dataset {
  readonly count: number;
  readonly featureCount: number;
  readonly targetCount: number;
  readonly features: Float32Array;
  readonly targets: Float32Array;
}

export interface DatasetSplit {
  readonly train: Dataset;
  readonly validation: Dataset;
}

/** The rows of `dataset` at `indices`, in that order. */
export function selectRows(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const { featureCount, targetCount } = dataset;
  const features = new Float32Array(indices.length * featureCount);
  const targets = new Float32Array(indices.length * targetCount);
  for (let r = 0; r < indices.length; r++) {
    const source = indices[r]!;
    features.set(dataset.features.subarray(source * featureCount, (source + 1) * featureCount), r * featureCount);
    targets.set(dataset.targets.subarray(source * targetCount, (source + 1) * targetCount), r * targetCount);
  }
  return { count: indices.length, featureCount, targetCount, features, targets };
}

/**
 * Shuffles the rows with a seeded permutation, then keeps the last `validationFraction` of them
 * (rounded, at least one) for validation and the rest for training.
 */
export function splitDataset(dataset: Dataset, validationFraction: number, rng: Rng): DatasetSplit {
  if (!(validationFraction > 0 && validationFraction < 1)) {
    throw new TrainingConfigError('validation-fraction', `must be between 0 and 1 (exclusive), got ${validationFraction}`);
  }
  if (dataset.count < 2) {
    throw new TrainingConfigError('data', `need at least 2 samples to split into training and validation, got ${dataset.count}`);
  }
  const validationCount = Math.min(dataset.count - 1, Math.max(1, Math.round(dataset.count * validationFraction)));
  const order = rng.permutation(dataset.count);
  const trainCount = dataset.count - validationCount;
  return {
    train: selectRows(dataset, order.subarray(0, trainCount)),
    validation: selectRows(dataset, order.subarray(trainCount)),
  };
}

export interface SyntheticRegressionOptions {
  readonly featureCount: number;
  readonly targetCount: number;
  readonly samples: number;
  readonly seed: number;
  /** Standard deviation of the Gaussian noise added to every target. */
  readonly noise: number;
}

export const syntheticDefaults = { samples: 1000, noise: 0.1 } as const;

/**
 * The built-in regression task, a known function plus noise:
 *   x ~ N(0, I),   u = A x + c,   y = u + 0.25 sin(2u) + noise * N(0, 1)
 * with A [targets, features] drawn from N(0, 1/features) (so each u has variance about 1) and
 * c from U(-0.5, 0.5), all from the seed. The sine is the mild nonlinearity: a linear network
 * cannot fit it exactly (its MSE floor is a little above noise^2), a ReLU network can get closer.
 */
export function syntheticRegression(options: SyntheticRegressionOptions): Dataset {
  const { featureCount, targetCount, samples, noise } = options;
  const taskRng = Rng.derive(options.seed, 'synthetic-task');
  const sampleRng = Rng.derive(options.seed, 'synthetic-samples');
  const scale = 1 / Math.sqrt(featureCount);
  const mapping = Array.from({ length: targetCount * featureCount }, () => taskRng.normal() * scale);
  const offset = Array.from({ length: targetCount }, () => taskRng.uniform(-0.5, 0.5));

  const features = new Float32Array(samples * featureCount);
  const targets = new Float32Array(samples * targetCount);
  for (let n = 0; n < samples; n++) {
    for (let i = 0; i < featureCount; i++) features[n * featureCount + i] = sampleRng.normal();
    for (let o = 0; o < targetCount; o++) {
      let u = offset[o]!;
      for (let i = 0; i < featureCount; i++) u += mapping[o * featureCount + i]! * features[n * featureCount + i]!;
      targets[n * targetCount + o] = u + 0.25 * Math.sin(2 * u) + noise * sampleRng.normal();
    }
  }
  return { count: samples, featureCount, targetCount, features, targets };
}
