import { Tensor } from 'onnxruntime-node';
import type { ModelRunner } from '../../pipeline/Pipeline';
import type { RawImage } from '../../processing/image/RawImage';
import { firstOutput, inputName } from '../modelIo';
import type { Warp } from './boxWarp';
import { SYMMETRIC, writeWarped } from './warpTensor';

// PaddleOCR's cls preprocessing (cls_image_shape 3,48,192), as the single-model textOrientation route.
const HEIGHT = 48;
const WIDTH = 192;

/**
 * Is each box upside down? PaddleOCR's direction classifier over every box at once: each is
 * warped straight from the image to height 48 (at most 192 wide) and padded to 192, so one `run`
 * takes a batch of `batchSize` whatever their widths. True where the class is 180 with at least
 * `threshold` (PaddleOCR cls_thresh 0.9).
 */
export async function upsideDown(
  image: RawImage,
  warps: readonly Warp[],
  runner: ModelRunner,
  options: { threshold?: number; batchSize?: number } = {},
): Promise<boolean[]> {
  const threshold = options.threshold ?? 0.9;
  const batchSize = options.batchSize ?? 32;
  const flips: boolean[] = [];
  for (let start = 0; start < warps.length; start += batchSize) {
    const batch = warps.slice(start, start + batchSize);
    const data = new Float32Array(batch.length * 3 * HEIGHT * WIDTH);
    batch.forEach((warp, item) => {
      const width = Math.min(WIDTH, Math.max(1, Math.ceil((HEIGHT * warp.width) / warp.height)));
      writeWarped(image, warp, { data, item, height: HEIGHT, rowWidth: WIDTH, width, normalisation: SYMMETRIC });
    });
    const x = new Tensor('float32', data, [batch.length, 3, HEIGHT, WIDTH]);
    const scores = firstOutput(runner, await runner.run({ [inputName(runner, 'x')]: x })).data as Float32Array;
    batch.forEach((_, i) => flips.push(scores[i * 2 + 1]! > scores[i * 2]! && scores[i * 2 + 1]! >= threshold));
  }
  return flips;
}
