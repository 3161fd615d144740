import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { loadCsvDataset } from './csv';
import { splitDataset, syntheticRegression, type Dataset } from './data';
import { trainDefaults } from './defaults';
import { DenseNetwork } from './DenseNetwork';
import { TrainingConfigError } from './errors';
import { writeOnnxModel } from './exportOnnx';
import { renderLossCurve } from './lossCurve';
import { optimizerNames, resolveBatchSize, type OptimizerName } from './optimizers';
import { Rng } from './Rng';
import { fit, type EpochReport, type TrainingHistory } from './trainer';

export { trainDefaults };

/** One schema validates and types the options, whether they come from the CLI or a script. */
export const trainOptionsSchema = z.object({
  /** Where the .onnx goes; the loss curve goes beside it as <name>.loss.svg. */
  out: z.string().min(1, 'name the model file, e.g. --out model.onnx'),
  /** Widths from input to output: [10, 20, 10] is Linear(10,20), Linear(20,10). */
  layers: z
    .array(z.number().int().positive('every width must be a positive integer'))
    .min(2, 'give at least an input and an output width, e.g. 10,20,10')
    .default([...trainDefaults.layers]),
  // Any string in (a flag, an environment variable), one of the table's names out.
  optimizer: z
    .string()
    .pipe(
      z.enum(optimizerNames as [OptimizerName, ...OptimizerName[]], {
        error: (issue) => `unknown name '${String(issue.input)}'; valid: ${optimizerNames.join(', ')}`,
      }),
    )
    .default(trainDefaults.optimizer),
  learningRate: z.number().positive('must be positive').finite().default(trainDefaults.learningRate),
  epochs: z.number().int().positive('must be a positive integer').default(trainDefaults.epochs),
  /** Samples per step for minibatch and adam (default 32); batch and sgd fix their own. */
  batchSize: z.number().int().positive('must be a positive integer').optional(),
  /** CSV with a header row; without it, the built-in synthetic regression task. */
  data: z.string().min(1).optional(),
  /** CSV target column names; default: the last <output width> columns. */
  targets: z.array(z.string().min(1)).min(1).optional(),
  seed: z.number().int('must be an integer').default(trainDefaults.seed),
  relu: z.boolean().default(trainDefaults.relu),
  validationFraction: z.number().gt(0, 'must be above 0').lt(1, 'must be below 1').default(trainDefaults.validationFraction),
  /** Synthetic task only. */
  samples: z.number().int().min(2).default(trainDefaults.samples),
  noise: z.number().min(0).default(trainDefaults.noise),
});

export type TrainOptions = z.input<typeof trainOptionsSchema>;
export type ResolvedTrainOptions = z.output<typeof trainOptionsSchema>;

export interface TrainResult {
  readonly options: ResolvedTrainOptions;
  readonly modelPath: string;
  readonly lossCurvePath: string;
  readonly network: DenseNetwork;
  readonly history: TrainingHistory;
  readonly finalTrainLoss: number;
  readonly finalValidationLoss: number;
  readonly trainCount: number;
  readonly validationCount: number;
  /** 'synthetic' or the CSV path. */
  readonly data: string;
}

/** What a caller can watch: the run's shape once the data is split, then every epoch. */
export interface TrainHooks {
  readonly onStart?: (run: { data: string; trainCount: number; validationCount: number; batchSize: number }) => void;
  readonly onEpoch?: (report: EpochReport) => void;
}

export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  const parsed = trainOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const setting = String(issue.path[0] ?? 'options').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  throw new TrainingConfigError(setting, issue.message);
}

/** `model.onnx` -> `model.loss.svg`, in the same folder. */
export function lossCurvePathFor(modelPath: string): string {
  return `${modelPath.replace(/\.onnx$/i, '')}.loss.svg`;
}

/**
 * Everything `onnxless train` does, for scripts: load or synthesise the data, split it,
 * initialise the network from the seed, train, export the ONNX model and its loss curve.
 */
export async function trainAndExport(options: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const resolved = resolveTrainOptions(options);
  const { layers, seed } = resolved;
  const dataset = await loadData(resolved);
  const split = splitDataset(dataset, resolved.validationFraction, Rng.derive(seed, 'split'));
  const data = resolved.data ?? 'synthetic';
  hooks.onStart?.({
    data,
    trainCount: split.train.count,
    validationCount: split.validation.count,
    batchSize: resolveBatchSize(resolved.optimizer, resolved.batchSize, split.train.count),
  });
  const network = DenseNetwork.create(layers, { relu: resolved.relu, rng: Rng.derive(seed, 'init') });
  const history = await fit(network, split, {
    optimizer: resolved.optimizer,
    learningRate: resolved.learningRate,
    epochs: resolved.epochs,
    batchSize: resolved.batchSize,
    rng: Rng.derive(seed, 'shuffle'),
    onEpoch: hooks.onEpoch,
  });
  const finalTrainLoss = history.trainLoss.at(-1)!;
  const finalValidationLoss = history.validationLoss.at(-1)!;
  const modelPath = resolved.out;
  const lossCurvePath = lossCurvePathFor(modelPath);
  // `--out models/dense/model.onnx` makes the model directory `onnxless push` then takes whole.
  await mkdir(dirname(modelPath), { recursive: true });
  await writeOnnxModel(modelPath, network, {
    optimizer: resolved.optimizer,
    learningRate: resolved.learningRate,
    epochs: resolved.epochs,
    batchSize: history.batchSize,
    seed,
    finalTrainLoss,
    finalValidationLoss,
    data,
  });
  const title = `${layers.join('-')}${resolved.relu ? ' ReLU' : ''}, ${resolved.optimizer} lr ${resolved.learningRate}, seed ${seed}`;
  await writeFile(lossCurvePath, renderLossCurve({ trainLoss: history.trainLoss, validationLoss: history.validationLoss, title }));
  return {
    options: resolved,
    modelPath,
    lossCurvePath,
    network,
    history,
    finalTrainLoss,
    finalValidationLoss,
    trainCount: split.train.count,
    validationCount: split.validation.count,
    data,
  };
}

async function loadData(options: ResolvedTrainOptions): Promise<Dataset> {
  const featureCount = options.layers[0]!;
  const targetCount = options.layers.at(-1)!;
  if (options.data === undefined) {
    if (options.targets !== undefined) throw new TrainingConfigError('targets', 'only applies with --data <file.csv>');
    return syntheticRegression({ featureCount, targetCount, samples: options.samples, noise: options.noise, seed: options.seed });
  }
  const csv = await loadCsvDataset(options.data, { targetColumns: options.targets, defaultTargetCount: targetCount });
  if (csv.featureCount !== featureCount || csv.targetCount !== targetCount) {
    throw new TrainingConfigError(
      'layers',
      `${options.data} has ${csv.featureCount} feature columns (${csv.featureNames.join(', ')}) and ${csv.targetCount} target columns ` +
        `(${csv.targetNames.join(', ')}), so the first width must be ${csv.featureCount} and the last ${csv.targetCount}; got ${options.layers.join(',')}`,
    );
  }
  return csv;
}
