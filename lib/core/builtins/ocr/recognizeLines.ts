import { Tensor } from 'onnxruntime-node';
import type { ModelRunner } from '../../pipeline/Pipeline';
import type { RawImage } from '../../processing/image/RawImage';
import { ctcGreedyDecodeBatch, trimDecoded } from '../../processing/postprocess/ctcGreedyDecode';
import { firstOutput, inputName } from '../modelIo';
import type { Warp } from './boxWarp';
import { SYMMETRIC, writeWarped, type Normalisation } from './warpTensor';

export interface RecognizeOptions {
  /**
   * Most crops per `run` (default 6, PaddleOCR's rec_batch_num). On CPU a bigger batch costs more
   * per line, not less (docs/benchmarks.md, "Figures behind the code"): the activations of a large batch fall out of the cache.
   */
  batchSize?: number;
  /** Widest line after resizing to height 48 (default 2400); wider lines are squeezed. */
  maxWidth?: number;
  /**
   * The line's width in the recogniser's input, as a multiple of its width at height 48 (default
   * 1.25). PP-OCRv4's CTC reads about one character per 8 input columns: at the line's own aspect
   * ratio the gap between two Latin words is often under one step and the space is lost ("Over
   * west signal" read "Overwestsignal"); a quarter wider keeps it, half wider reads worse again
   * (the OCR bench's tuning pages, docs/benchmarks.md, "Figures behind the code").
   */
  widthScale?: number;
  /**
   * Contrast of the recogniser's input: PaddleOCR's (x/255 - 0.5)/0.5 times this (default 0.35).
   * On photographed print (dark ink on light paper, JPEG) the full-range input makes PP-OCRv4 run
   * words together and drop thin letters; a third of the range reads them (the OCR bench's
   * tuning pages, docs/benchmarks.md, "Figures behind the code").
   */
  contrast?: number;
}

/** Defaults of the recogniser's input geometry and contrast (RecognizeOptions). */
export const RECOGNITION_INPUT = Object.freeze({ widthScale: 1.25, contrast: 0.35 });

/** A box to read: its upright frame and the paper to add around it (PP-OCRv4 reads spaces only with some). */
export interface LineToRead {
  warp: Warp;
  /** Margin in frame pixels, filled with `background`. */
  margin: number;
  background: readonly [number, number, number];
}

export interface RecognizedText {
  text: string;
  confidence: number;
}

// PaddleOCR's rec preprocessing (rec_image_shape 3,48,320): height 48, width ceil(48 w / h),
// BGR, (x/255 - 0.5)/0.5, right-padded with 0 to the batch's widest.
const HEIGHT = 48;

/**
 * Width of the line in the recogniser's input: its frame and margin resized to height 48, widened
 * by `widthScale`, at most `maxWidth` (default 2400). The recogniser's work grows with it.
 */
export function recognitionWidth(
  { warp, margin }: Pick<LineToRead, 'warp' | 'margin'>,
  maxWidth = 2400,
  widthScale: number = RECOGNITION_INPUT.widthScale,
): number {
  return Math.min(maxWidth, Math.max(1, Math.ceil((widthScale * HEIGHT * (warp.width + 2 * margin)) / (warp.height + 2 * margin))));
}

/** PaddleOCR's symmetric normalisation scaled by `contrast` around mid grey. */
function scaledContrast(contrast: number): Normalisation {
  return {
    mul: SYMMETRIC.mul.map((m) => m * contrast) as unknown as Normalisation['mul'],
    add: SYMMETRIC.add.map((a) => a * contrast) as unknown as Normalisation['add'],
  };
}

/**
 * PP-OCRv4 recognition of many lines, batched as PaddleOCR's TextRecognizer does: sorted by
 * aspect ratio and split into batches of at most `batchSize` of even size, each padded only to
 * its own widest line: one `run` per group of similar widths instead of one per line. The lines
 * are warped straight from the image into the batch tensor. Results come back in input order.
 *
 * Unlike PaddleOCR, a batch is not padded to at least 320 wide: a page's lines are often
 * narrower (the 20-line bench page's are 245-300 at height 48), and the padding is compute.
 */
export async function recognizeLines(
  image: RawImage,
  lines: readonly LineToRead[],
  runner: ModelRunner,
  dictionary: readonly string[],
  options: RecognizeOptions = {},
): Promise<RecognizedText[]> {
  const widths = lines.map((line) => recognitionWidth(line, options.maxWidth, options.widthScale));
  const normalisation = scaledContrast(options.contrast ?? RECOGNITION_INPUT.contrast);
  const order = lines.map((_, i) => i).sort((a, b) => widths[a]! - widths[b]!);
  // 20 lines at 6 make 6, 6, 6, 2: evened out to 5, 5, 5, 5.
  const batches = Math.ceil(order.length / (options.batchSize ?? 6));
  const size = Math.ceil(order.length / Math.max(1, batches));
  const results = new Array<RecognizedText>(lines.length);
  for (let start = 0; start < order.length; start += size) {
    const group = order.slice(start, start + size);
    const rowWidth = widths[group[group.length - 1]!]!;
    const data = new Float32Array(group.length * 3 * HEIGHT * rowWidth);
    group.forEach((i, item) => {
      const { warp, margin, background } = lines[i]!;
      writeWarped(image, warp, { data, item, height: HEIGHT, rowWidth, width: widths[i]!, margin, background, normalisation });
    });
    const x = new Tensor('float32', data, [group.length, 3, HEIGHT, rowWidth]);
    // Output [batch, steps, classes], already softmaxed by the exported graph.
    const scores = firstOutput(runner, await runner.run({ [inputName(runner, 'x')]: x })).data as Float32Array;
    ctcGreedyDecodeBatch(scores, group.length, dictionary).forEach((decoded, k) => {
      const { text, confidence } = trimDecoded(decoded);
      results[group[k]!] = { text, confidence };
    });
  }
  return results;
}
