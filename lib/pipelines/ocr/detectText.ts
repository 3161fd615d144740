import type { ModelRunner } from '../../pipeline/Pipeline';
import { imageBatchTensor, NORMALIZATIONS } from '../../processing/image/imageTensor';
import type { RawImage } from '../../processing/image/RawImage';
import { resizeImage } from '../../processing/image/resizeImage';
import type { Quad } from '../../processing/image/quad';
import { textBoxes, type TextBoxOptions } from '../../processing/image/textBoxes';
import { firstOutput, inputName } from '../modelIo';

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
 * scaled back to the original pixels and clipped to the image.
 */
export async function detectText(image: RawImage, runner: ModelRunner, options: DetectOptions = {}): Promise<DetectedBox[]> {
  const limit = options.limitSide ?? 960;
  const ratio = Math.min(1, limit / Math.max(image.width, image.height));
  const width = Math.max(32, Math.round((image.width * ratio) / 32) * 32);
  const height = Math.max(32, Math.round((image.height * ratio) / 32) * 32);
  const { image: resized } = await resizeImage(image, { mode: 'stretch', width, height }, { kernel: 'linear' });
  const x = imageBatchTensor([resized], { order: 'bgr', layout: 'nchw', normalization: NORMALIZATIONS.imagenet });
  const map = firstOutput(runner, await runner.run({ [inputName(runner, 'x')]: x }));
  const scaleX = image.width / width;
  const scaleY = image.height / height;
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, v));
  return textBoxes({ data: map.data as Float32Array, width, height }, options).map(({ quad, score }) => ({
    quad: quad.map((p) => ({ x: clip(p.x * scaleX, image.width - 1), y: clip(p.y * scaleY, image.height - 1) })) as unknown as Quad,
    score,
  }));
}
