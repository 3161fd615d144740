import { allocate, type FloatArray, type Precision } from './DenseNetwork';

/**
 * Mean squared error over every element, as PyTorch's nn.MSELoss (reduction 'mean'):
 * L = (1/N) sum_k (prediction_k - target_k)^2, N = batch x outputs.
 */
export function meanSquaredError(prediction: ArrayLike<number>, target: ArrayLike<number>): number {
  assertSameLength(prediction, target);
  let sum = 0;
  for (let k = 0; k < prediction.length; k++) {
    const residual = prediction[k]! - target[k]!;
    sum += residual * residual;
  }
  return sum / prediction.length;
}

/** dL/dprediction_k = 2 (prediction_k - target_k) / N: the mean makes a batch's gradient the average of its samples'. */
export function meanSquaredErrorGradient(
  prediction: ArrayLike<number>,
  target: ArrayLike<number>,
  precision: Precision = 'float32',
): FloatArray {
  assertSameLength(prediction, target);
  const gradient = allocate(precision, prediction.length);
  const scale = 2 / prediction.length;
  for (let k = 0; k < prediction.length; k++) gradient[k] = scale * (prediction[k]! - target[k]!);
  return gradient;
}

function assertSameLength(prediction: ArrayLike<number>, target: ArrayLike<number>): void {
  if (prediction.length !== target.length) {
    throw new RangeError(`prediction has ${prediction.length} values but target has ${target.length}`);
  }
}
