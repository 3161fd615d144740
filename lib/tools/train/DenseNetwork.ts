import { TrainingConfigError } from './errors';
import type { Rng } from './Rng';

/**
 * Storage for parameters and activations. Training uses float32, as PyTorch does by default;
 * float64 exists so a gradient check can take finite differences without float32 rounding
 * drowning the signal.
 */
export type Precision = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

export function allocate(precision: Precision, length: number): FloatArray {
  return precision === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/**
 * One fully connected layer, `y = x W^T + b`, stored like PyTorch's nn.Linear:
 * weight is [outFeatures, inFeatures] row-major, bias is [outFeatures].
 */
export interface DenseLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: FloatArray;
  readonly bias: FloatArray;
}

/** What backward needs from forward: each layer's input and each layer's pre-activation output. */
export interface ForwardTrace {
  readonly batch: number;
  readonly inputs: FloatArray[];
  readonly preActivations: FloatArray[];
  readonly output: FloatArray;
}

/**
 * A stack of Linear layers with optional ReLU between them (never after the last: regression
 * outputs are unbounded). Arithmetic: each dot product is summed in double precision and
 * rounded once when stored into the float32 array, so results are deterministic and within
 * float32 rounding of PyTorch's (whose summation order differs by kernel anyway).
 */
export class DenseNetwork {
  readonly layers: readonly DenseLayer[];
  readonly relu: boolean;
  readonly precision: Precision;

  constructor(layers: readonly DenseLayer[], relu: boolean, precision: Precision = 'float32') {
    if (layers.length === 0) throw new TrainingConfigError('layers', 'a network needs at least one Linear layer');
    for (let l = 1; l < layers.length; l++) {
      if (layers[l]!.inFeatures !== layers[l - 1]!.outFeatures) {
        throw new TrainingConfigError(
          'layers',
          `layer ${l} takes ${layers[l]!.inFeatures} inputs but layer ${l - 1} gives ${layers[l - 1]!.outFeatures}`,
        );
      }
    }
    this.layers = layers;
    this.relu = relu;
    this.precision = precision;
  }

  /**
   * `widths` lists every width from input to output: [10, 20, 10] is Linear(10,20), Linear(20,10).
   * Initialised like PyTorch's nn.Linear default: kaiming_uniform_(a=sqrt(5)) on the weight,
   * which works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for the bias.
   */
  static create(widths: readonly number[], options: { relu: boolean; rng: Rng; precision?: Precision }): DenseNetwork {
    const precision = options.precision ?? 'float32';
    if (widths.length < 2)
      throw new TrainingConfigError('layers', `need at least an input and an output width, got [${widths.join(', ')}]`);
    const layers: DenseLayer[] = [];
    for (let l = 0; l + 1 < widths.length; l++) {
      const inFeatures = widths[l]!;
      const outFeatures = widths[l + 1]!;
      const bound = 1 / Math.sqrt(inFeatures);
      const weight = allocate(precision, outFeatures * inFeatures);
      const bias = allocate(precision, outFeatures);
      for (let i = 0; i < weight.length; i++) weight[i] = options.rng.uniform(-bound, bound);
      for (let i = 0; i < bias.length; i++) bias[i] = options.rng.uniform(-bound, bound);
      layers.push({ inFeatures, outFeatures, weight, bias });
    }
    return new DenseNetwork(layers, options.relu, precision);
  }

  get inFeatures(): number {
    return this.layers[0]!.inFeatures;
  }

  get outFeatures(): number {
    return this.layers[this.layers.length - 1]!.outFeatures;
  }

  /** Widths from input to output, the `--layers` list. */
  get widths(): number[] {
    return [this.inFeatures, ...this.layers.map((layer) => layer.outFeatures)];
  }

  /** Parameters in a fixed order: weight 0, bias 0, weight 1, bias 1, ... (gradients use the same order). */
  parameters(): FloatArray[] {
    return this.layers.flatMap((layer) => [layer.weight, layer.bias]);
  }

  /** A deep copy, optionally in another precision. */
  clone(precision: Precision = this.precision): DenseNetwork {
    const copy = (source: FloatArray): FloatArray => {
      const target = allocate(precision, source.length);
      target.set(source);
      return target;
    };
    const layers = this.layers.map((layer) => ({ ...layer, weight: copy(layer.weight), bias: copy(layer.bias) }));
    return new DenseNetwork(layers, this.relu, precision);
  }

  /** Outputs for `batch` rows of `input` ([batch, inFeatures] row-major). */
  forward(input: ArrayLike<number>, batch: number): FloatArray {
    return this.trace(input, batch).output;
  }

  /** Forward pass keeping what backward needs. */
  trace(input: ArrayLike<number>, batch: number): ForwardTrace {
    if (input.length !== batch * this.inFeatures) {
      throw new TrainingConfigError(
        'input',
        `expected ${batch} x ${this.inFeatures} = ${batch * this.inFeatures} values, got ${input.length}`,
      );
    }
    let activation = allocate(this.precision, input.length);
    activation.set(input);
    const inputs: FloatArray[] = [];
    const preActivations: FloatArray[] = [];
    this.layers.forEach((layer, l) => {
      inputs.push(activation);
      const z = this.linear(layer, activation, batch);
      preActivations.push(z);
      const last = l === this.layers.length - 1;
      activation = this.relu && !last ? z.map((value) => (value > 0 ? value : 0)) : z;
    });
    return { batch, inputs, preActivations, output: activation };
  }

  /**
   * Gradients of the loss with respect to every parameter (same order as `parameters()`),
   * given the loss gradient with respect to the output ([batch, outFeatures]).
   */
  backward(trace: ForwardTrace, outputGradient: ArrayLike<number>): FloatArray[] {
    const { batch } = trace;
    const gradients: FloatArray[] = [];
    let dz = allocate(this.precision, outputGradient.length);
    dz.set(outputGradient);
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l]!;
      const a = trace.inputs[l]!;
      const { inFeatures: nIn, outFeatures: nOut } = layer;
      const dWeight = allocate(this.precision, nOut * nIn);
      const dBias = allocate(this.precision, nOut);
      // dW[o,i] = sum_n dz[n,o] a[n,i];  db[o] = sum_n dz[n,o]
      for (let o = 0; o < nOut; o++) {
        let biasSum = 0;
        for (let n = 0; n < batch; n++) biasSum += dz[n * nOut + o]!;
        dBias[o] = biasSum;
        for (let i = 0; i < nIn; i++) {
          let sum = 0;
          for (let n = 0; n < batch; n++) sum += dz[n * nOut + o]! * a[n * nIn + i]!;
          dWeight[o * nIn + i] = sum;
        }
      }
      gradients.unshift(dWeight, dBias);
      if (l === 0) break;
      // da[n,i] = sum_o dz[n,o] W[o,i]; through ReLU: dz_prev = da * (z_prev > 0)
      const zPrevious = trace.preActivations[l - 1]!;
      const dPrevious = allocate(this.precision, batch * nIn);
      for (let n = 0; n < batch; n++) {
        for (let i = 0; i < nIn; i++) {
          if (this.relu && !(zPrevious[n * nIn + i]! > 0)) continue;
          let sum = 0;
          for (let o = 0; o < nOut; o++) sum += dz[n * nOut + o]! * layer.weight[o * nIn + i]!;
          dPrevious[n * nIn + i] = sum;
        }
      }
      dz = dPrevious;
    }
    return gradients;
  }

  private linear(layer: DenseLayer, input: FloatArray, batch: number): FloatArray {
    const { inFeatures: nIn, outFeatures: nOut, weight, bias } = layer;
    const out = allocate(this.precision, batch * nOut);
    for (let n = 0; n < batch; n++) {
      for (let o = 0; o < nOut; o++) {
        let sum = bias[o]!;
        for (let i = 0; i < nIn; i++) sum += input[n * nIn + i]! * weight[o * nIn + i]!;
        out[n * nOut + o] = sum;
      }
    }
    return out;
  }
}
