import type { ModelRunner } from '../../pipeline/Pipeline';
import { imageBatchTensor, NORMALIZATIONS } from '../../processing/image/imageTensor';
import type { RawImage } from '../../processing/image/RawImage';
import { resizeImage } from '../../processing/image/resizeImage';
import { ctcGreedyDecodeBatch, trimDecoded } from '../../processing/postprocess/ctcGreedyDecode';
import { firstOutput, inputName } from '../modelIo';

export interface RecognizeOptions {
  /** Crops per `run` (default 8): a batch pads every crop to its widest, so similar widths go together. */
  batchSize?: number;
  /** Widest line after resizing to height 48 (default 2400); wider lines are squeezed. */
  maxWidth?: number;
}

export interface RecognizedText {
  text: string;
  confidence: number;
}

// PaddleOCR's rec preprocessing (rec_image_shape 3,48,320): height 48, width ceil(48 w / h),
// BGR, (x/255 - 0.5)/0.5, right-padded with 0 to the batch's widest and at least 320.
const HEIGHT = 48;
const MIN_WIDTH = 320;

/**
 * PP-OCRv4 recognition of many crops, batched as PaddleOCR's TextRecognizer does: sorted by
 * aspect ratio, `batchSize` at a time, each batch padded to its widest crop: one `run` per
 * group of similar widths instead of one per line. Results come back in the crops' order.
 */
export async function recognizeLines(
  crops: readonly RawImage[],
  runner: ModelRunner,
  dictionary: readonly string[],
  options: RecognizeOptions = {},
): Promise<RecognizedText[]> {
  const batchSize = options.batchSize ?? 8;
  const maxWidth = options.maxWidth ?? 2400;
  const order = crops.map((crop, i) => ({ i, ratio: crop.width / crop.height })).sort((a, b) => a.ratio - b.ratio);
  const results: RecognizedText[] = new Array<RecognizedText>(crops.length);
  for (let start = 0; start < order.length; start += batchSize) {
    const group = order.slice(start, start + batchSize);
    const widest = Math.min(maxWidth, Math.max(MIN_WIDTH, Math.ceil(HEIGHT * group[group.length - 1]!.ratio)));
    const resized = await Promise.all(
      group.map(async ({ i }) => (await resizeImage(crops[i]!, { mode: 'fixedHeight', height: HEIGHT, maxWidth: widest }, { kernel: 'linear' })).image),
    );
    const x = imageBatchTensor(resized, { order: 'bgr', layout: 'nchw', normalization: NORMALIZATIONS.symmetric, width: widest });
    // Output [batch, steps, classes], already softmaxed by the exported graph.
    const scores = firstOutput(runner, await runner.run({ [inputName(runner, 'x')]: x })).data as Float32Array;
    ctcGreedyDecodeBatch(scores, group.length, dictionary).forEach((decoded, k) => {
      const { text, confidence } = trimDecoded(decoded);
      results[group[k]!.i] = { text, confidence };
    });
  }
  return results;
}
