export { batchKey, batchRows, type BatchTensor, type TensorElements, type TensorMap } from './BatchTensor';
export { concatFeeds, splitOutputs, UnsplittableOutputError } from './concatSplit';
export {
  BATCHER_DEFAULTS,
  DynamicBatcher,
  type BatcherEvents,
  type BatcherOptions,
  type BatchReport,
  type RunBatch,
} from './DynamicBatcher';
export { BatcherClosedError, QueueFullError } from './errors';
