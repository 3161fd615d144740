// Public surface of the training package: train a dense regression network and export it to ONNX.
export { Rng } from './Rng';
export { DenseNetwork, type DenseLayer, type FloatArray, type Precision } from './DenseNetwork';
export { meanSquaredError, meanSquaredErrorGradient } from './loss';
export { optimizers, optimizerNames, optimizerSpec, adamDefaults, defaultBatchSize, type OptimizerName } from './optimizers';
export { splitDataset, syntheticRegression, type Dataset, type DatasetSplit } from './data';
export { loadCsvDataset, parseCsvDataset, type CsvDataset } from './csv';
export { fit, evaluate, type EpochReport, type FitOptions, type TrainingHistory } from './trainer';
export { toOnnxModel, writeOnnxModel, metadataOf, onnxNames, onnxOpset, type TrainingFacts } from './exportOnnx';
export { renderLossCurve } from './lossCurve';
export {
  trainAndExport,
  trainDefaults,
  trainOptionsSchema,
  resolveTrainOptions,
  lossCurvePathFor,
  type TrainHooks,
  type TrainOptions,
  type TrainResult,
} from './trainAndExport';
export { TrainingError, TrainingConfigError, CsvFormatError } from './errors';
