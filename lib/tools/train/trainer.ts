import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { DenseNetwork } from './DenseNetwork';
import { selectRows, type Dataset, type DatasetSplit } from './data';
import { TrainingConfigError } from './errors';
import { meanSquaredError, meanSquaredErrorGradient } from './loss';
import { optimizerSpec, resolveBatchSize } from './optimizers';
import type { Rng } from './Rng';

export interface EpochReport {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** MSE over the whole training set with the weights at the end of the epoch. */
  readonly trainLoss: number;
  /** MSE over the validation set with the same weights. */
  readonly validationLoss: number;
}

export interface FitOptions {
  readonly optimizer: string;
  readonly learningRate: number;
  readonly epochs: number;
  /** Samples per step for minibatch and adam; batch and sgd fix their own. */
  readonly batchSize?: number;
  /** Reshuffle the training samples every epoch (default true), drawing from `rng`. */
  readonly shuffle?: boolean;
  readonly rng: Rng;
  readonly onEpoch?: (report: EpochReport) => void;
  /** After every optimizer step (1-based count across epochs): lets tests watch single updates. */
  readonly onStep?: (step: number, network: DenseNetwork) => void;
}

export interface TrainingHistory {
  readonly batchSize: number;
  readonly steps: number;
  readonly trainLoss: number[];
  readonly validationLoss: number[];
}

/** Mean squared error of the network's predictions over a whole dataset. */
export function evaluate(network: DenseNetwork, dataset: Dataset): number {
  return meanSquaredError(network.forward(dataset.features, dataset.count), dataset.targets);
}

/**
 * Trains `network` in place: for every epoch, (shuffle,) cut the training set into batches,
 * and for each batch run forward, MSE gradient, backward and one optimizer step; then measure
 * training and validation MSE. A last batch smaller than the batch size is kept (as PyTorch's
 * DataLoader with drop_last=False), its gradient averaged over its own samples.
 */
export async function fit(network: DenseNetwork, data: DatasetSplit, options: FitOptions): Promise<TrainingHistory> {
  const { train, validation } = data;
  if (train.featureCount !== network.inFeatures || train.targetCount !== network.outFeatures) {
    throw new TrainingConfigError(
      'layers',
      `the network maps ${network.inFeatures} inputs to ${network.outFeatures} outputs but the data has ${train.featureCount} features and ${train.targetCount} targets`,
    );
  }
  if (!Number.isInteger(options.epochs) || options.epochs < 1)
    throw new TrainingConfigError('epochs', `must be a positive integer, got ${options.epochs}`);
  if (!(options.learningRate > 0)) throw new TrainingConfigError('learning-rate', `must be positive, got ${options.learningRate}`);
  const optimizer = optimizerSpec(options.optimizer).create(options.learningRate);
  const batchSize = resolveBatchSize(options.optimizer, options.batchSize, train.count);
  const history: TrainingHistory = { batchSize, steps: 0, trainLoss: [], validationLoss: [] };
  const parameters = network.parameters();
  let steps = 0;

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const order = options.shuffle === false ? undefined : options.rng.permutation(train.count);
    for (let start = 0; start < train.count; start += batchSize) {
      const end = Math.min(start + batchSize, train.count);
      const batch = order ? selectRows(train, order.subarray(start, end)) : sliceRows(train, start, end);
      const trace = network.trace(batch.features, batch.count);
      const outputGradient = meanSquaredErrorGradient(trace.output, batch.targets, network.precision);
      optimizer.step(parameters, network.backward(trace, outputGradient));
      steps += 1;
      options.onStep?.(steps, network);
    }
    const report = { epoch, epochs: options.epochs, trainLoss: evaluate(network, train), validationLoss: evaluate(network, validation) };
    history.trainLoss.push(report.trainLoss);
    history.validationLoss.push(report.validationLoss);
    options.onEpoch?.(report);
    // Let timers (the progress bar's redraw) run between epochs; training is otherwise one long sync loop.
    await yieldToEventLoop();
  }
  return { ...history, steps };
}

function sliceRows(dataset: Dataset, start: number, end: number): Dataset {
  const { featureCount, targetCount } = dataset;
  return {
    count: end - start,
    featureCount,
    targetCount,
    features: dataset.features.subarray(start * featureCount, end * featureCount),
    targets: dataset.targets.subarray(start * targetCount, end * targetCount),
  };
}
