import type { ModelRunner } from '../../pipeline/Pipeline';
import { imageBatchTensor, NORMALIZATIONS } from '../../processing/image/imageTensor';
import type { RawImage } from '../../processing/image/RawImage';
import { resizeImage } from '../../processing/image/resizeImage';
import { firstOutput, inputName } from '../modelIo';

// PaddleOCR's cls preprocessing (cls_image_shape 3,48,192), as the single-model textOrientation route.
const HEIGHT = 48;
const WIDTH = 192;

/**
 * Is each crop upside down? PaddleOCR's direction classifier over every crop at once: all are
 * resized to height 48 (at most 192 wide) and padded to 192, so one `run` takes a batch of
 * `batchSize` whatever their widths. True where the class is 180 with at least `threshold`
 * (PaddleOCR cls_thresh 0.9).
 */
export async function upsideDown(
  crops: readonly RawImage[],
  runner: ModelRunner,
  options: { threshold?: number; batchSize?: number } = {},
): Promise<boolean[]> {
  const threshold = options.threshold ?? 0.9;
  const batchSize = options.batchSize ?? 32;
  const flips: boolean[] = [];
  for (let start = 0; start < crops.length; start += batchSize) {
    const batch = crops.slice(start, start + batchSize);
    const resized = await Promise.all(
      batch.map(async (crop) => (await resizeImage(crop, { mode: 'fixedHeight', height: HEIGHT, maxWidth: WIDTH }, { kernel: 'linear' })).image),
    );
    const x = imageBatchTensor(resized, { order: 'bgr', layout: 'nchw', normalization: NORMALIZATIONS.symmetric, width: WIDTH });
    const scores = firstOutput(runner, await runner.run({ [inputName(runner, 'x')]: x })).data as Float32Array;
    batch.forEach((_, i) => flips.push(scores[i * 2 + 1]! > scores[i * 2]! && scores[i * 2 + 1]! >= threshold));
  }
  return flips;
}
