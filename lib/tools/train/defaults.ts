import { syntheticDefaults } from './data';

// Its own module, free of the ONNX exporter: the CLI shows these in `train --help` without
// loading the trainer (and onnx-proto) until `train` actually runs.
/** The product's example: a 10 -> 20 -> 10 network, Adam at 0.001 for 1000 epochs. */
export const trainDefaults = {
  layers: [10, 20, 10],
  optimizer: 'adam',
  learningRate: 0.001,
  epochs: 1000,
  seed: 42,
  relu: false,
  validationFraction: 0.2,
  samples: syntheticDefaults.samples,
  noise: syntheticDefaults.noise,
} as const;
