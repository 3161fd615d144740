import { Tensor } from 'onnxruntime-node';
import type { RawImage } from './RawImage';
import { assertRawImage } from './RawImage';

export type ChannelOrder = 'rgb' | 'bgr';
export type TensorLayout = 'nchw' | 'nhwc';

/**
 * How 8-bit values become floats, per channel in the *output* order:
 * - `scale`: `x * factor` (factor 1/255 maps to [0, 1]).
 * - `meanStd`: `(x * factor - mean[c]) / std[c]` (ImageNet: factor 1/255, mean [0.485, 0.456, 0.406],
 *   std [0.229, 0.224, 0.225]; PaddleOCR: mean and std 0.5 for [-1, 1]).
 */
export type Normalization =
  | { kind: 'scale'; factor: number }
  | { kind: 'meanStd'; factor: number; mean: readonly [number, number, number]; std: readonly [number, number, number] };

export interface ImageTensorOptions {
  order: ChannelOrder;
  layout: TensorLayout;
  normalization: Normalization;
  /**
   * Batch width: images narrower than this are right-padded with `padValue` (already in normalised
   * space, 0 as PaddleOCR does). Default: the widest image. Every image must share one height.
   */
  width?: number;
  padValue?: number;
}

/** Common presets. */
export const NORMALIZATIONS = Object.freeze({
  unit: { kind: 'scale', factor: 1 / 255 },
  /** (x/255 - 0.5) / 0.5: [-1, 1], used by PaddleOCR's recognition and orientation models. */
  symmetric: { kind: 'meanStd', factor: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  imagenet: { kind: 'meanStd', factor: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
} as const satisfies Record<string, Normalization>);

/** Per output channel: value = pixel * mul[c] + add[c]. */
function affine(normalization: Normalization): { mul: number[]; add: number[] } {
  if (normalization.kind === 'scale') {
    return { mul: [normalization.factor, normalization.factor, normalization.factor], add: [0, 0, 0] };
  }
  const { factor, mean, std } = normalization;
  return {
    mul: std.map((s) => factor / s),
    add: mean.map((m, c) => -m / std[c]!),
  };
}

/**
 * One or more RGB images -> a float32 batch tensor ([N, 3, H, W] or [N, H, W, 3]) with the
 * requested channel order and normalisation.
 */
export function imageBatchTensor(images: readonly RawImage[], options: ImageTensorOptions): Tensor {
  if (images.length === 0) throw new RangeError('imageBatchTensor needs at least one image');
  images.forEach(assertRawImage);
  const height = images[0]!.height;
  const width = options.width ?? Math.max(...images.map((image) => image.width));
  for (const image of images) {
    if (image.height !== height) throw new RangeError(`batch images must share one height: ${image.height} != ${height}`);
    if (image.width > width) throw new RangeError(`image width ${image.width} is over the batch width ${width}`);
  }
  const { mul, add } = affine(options.normalization);
  const source = options.order === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  const plane = height * width;
  const out = new Float32Array(images.length * 3 * plane).fill(options.padValue ?? 0);
  images.forEach((image, n) => {
    const base = n * 3 * plane;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < image.width; x++) {
        const pixel = (y * image.width + x) * 3;
        for (let c = 0; c < 3; c++) {
          const value = image.data[pixel + source[c]!]! * mul[c]! + add[c]!;
          const index = options.layout === 'nchw' ? base + c * plane + y * width + x : base + (y * width + x) * 3 + c;
          out[index] = value;
        }
      }
    }
  });
  const dims = options.layout === 'nchw' ? [images.length, 3, height, width] : [images.length, height, width, 3];
  return new Tensor('float32', out, dims);
}
