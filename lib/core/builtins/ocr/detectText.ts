import { Tensor } from 'onnxruntime-node';
import type { ModelRunner } from '../../pipeline/Pipeline';
import type { RawImage } from '../../processing/image/RawImage';
import { isWarpable, type Quad } from '../../processing/image/quad';
import { textBoxes, type TextBox, type TextBoxOptions } from '../../processing/image/textBoxes';
import { firstOutput, inputName } from '../modelIo';
import { imageWarp } from './boxWarp';
import { IMAGENET_BGR, writeWarped } from './warpTensor';

export interface DetectOptions extends TextBoxOptions {
  /** Longer side of the image the detector sees, in pixels (PaddleOCR det_limit_side_len 960, type max). */
  limitSide?: number;
}

export interface DetectedBox {
  /** Corners in the original image's pixels, clockwise from the top-left. */
  quad: Quad;
  score: number;
}

/**
 * PP-OCRv4 detection: the image scaled so its longer side is at most `limitSide` and both sides
 * are multiples of 32 (the backbone downsamples 32x), BGR with ImageNet mean/std (PaddleOCR's
 * DetResizeForTest + NormalizeImage on cv2's BGR pixels), then DB post-processing; boxes are
 * scaled back to the original pixels and clipped to the image (boxesInImage). The resize and
 * normalisation are one pass straight into the tensor, faster than sharp's resize and
 * imageBatchTensor's second pass (docs/benchmarks.md, "Figures behind the code").
 */
export async function detectText(image: RawImage, runner: ModelRunner, options: DetectOptions = {}): Promise<DetectedBox[]> {
  const limit = options.limitSide ?? 960;
  const ratio = Math.min(1, limit / Math.max(image.width, image.height));
  const width = Math.max(32, Math.round((image.width * ratio) / 32) * 32);
  const height = Math.max(32, Math.round((image.height * ratio) / 32) * 32);
  const data = new Float32Array(3 * width * height);
  writeWarped(image, imageWarp(image), { data, item: 0, height, rowWidth: width, width, normalisation: IMAGENET_BGR });
  const x = new Tensor('float32', data, [1, 3, height, width]);
  const map = firstOutput(runner, await runner.run({ [inputName(runner, 'x')]: x }));
  return boxesInImage(textBoxes({ data: map.data as Float32Array, width, height }, options), { width, height }, image);
}

/**
 * Boxes in the probability map's pixels scaled to the image's and clipped to it. A box the
 * clipping flattens is dropped: on an image a few pixels wide (its map is 32 wide) three corners
 * can land on the same edge, and such a quad has no upright crop (isWarpable).
 */
export function boxesInImage(
  boxes: readonly TextBox[],
  map: { width: number; height: number },
  image: { width: number; height: number },
): DetectedBox[] {
  const scaleX = image.width / map.width;
  const scaleY = image.height / map.height;
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return boxes
    .map(({ quad, score }) => ({
      quad: quad.map((p) => ({ x: clip(p.x * scaleX, image.width - 1), y: clip(p.y * scaleY, image.height - 1) })) as unknown as Quad,
      score,
    }))
    .filter(({ quad }) => isWarpable(quad));
}
