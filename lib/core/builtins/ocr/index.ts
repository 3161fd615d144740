// zod/mini with named imports: the OCR function's bundle parses it on every cold start (zod's full
// build is ~470 KB); the messages are spelled out as zod's English locale words them.
import { coerce, maximum, minimum, optional, refine, strictObject } from 'zod/mini';
import { BadRequestError } from '../../errors';
import type { MultiModelPipeline } from '../../pipeline/MultiModelPipeline';
import { decodeImage } from '../../processing/image/decodeImage';
import { DEFAULT_MAX_PIXELS } from '../../processing/image/imageHeader';
import { quadSize } from '../../processing/image/quad';
import { Deadline } from '../../inference/Deadline';
import { parseQuery } from '../../processing/input/jsonBody';
import { IMAGE_INPUT, acceptedTypes, readMediaInput } from '../../processing/input/mediaInput';
import { dictionaryLoader } from '../dictionaryLoader';
import { detectText, type DetectOptions } from './detectText';
import { readingOrder } from './readingOrder';
import { readOriented } from './readOriented';
import { recognitionWidth, type RecognizeOptions } from './recognizeLines';
import { readWithinBudget, TRUNCATION_REASONS, type TruncationReason } from './readingBudget';
import { boxWarp } from './boxWarp';
import { loadSharp } from '../../processing/image/loadSharp';

/** The member models of the OCR pipeline, by role: the registry entry's `models:` keys. */
export const OCR_MODELS = ['detection', 'orientation', 'recognition'] as const;
export type OcrModel = (typeof OCR_MODELS)[number];

export interface OcrLine {
  text: string;
  /** Mean probability of the recognised characters. */
  confidence: number;
  /** Corners in the original (EXIF-upright) image's pixels, clockwise from the top-left of the text. */
  box: [number, number][];
}

export interface OcrResult {
  /** Lines in reading order: rows top to bottom, left to right within a row. */
  lines: OcrLine[];
  /** The image's size after EXIF rotation: the frame the boxes are in. */
  width: number;
  height: number;
  /**
   * Present (true) only when the page was not read whole: `lines` are then the lines of the first
   * boxes in reading order, and `unreadBoxes` boxes further down were not read.
   */
  truncated?: true;
  /** Which bound stopped the reading: the option's name, or `deadline` (the request's own). */
  truncatedReason?: TruncationReason;
  unreadBoxes?: number;
}

export interface OcrOptions {
  /** Largest image accepted, in declared pixels (default 16.7 MP); larger is a 413 before decoding. */
  maxPixels?: number;
  /** Most text boxes one image may hold (default 400); more is a 400 asking for a smaller part of the page. */
  maxBoxes?: number;
  /** Detection's input size and DB thresholds (defaults OCR_DETECTION, then PaddleOCR's). */
  detection?: DetectOptions;
  /** The recogniser's batches and input (defaults RECOGNITION_INPUT in recognizeLines.ts). */
  recognition?: RecognizeOptions;
  /**
   * Boxes the direction classifier calls upside down with at least this score are read both ways,
   * and the surer reading kept (default 0.5; readOriented.ts).
   */
  orientationThreshold?: number;
  /**
   * Paper added around each crop, as a share of the box's height (default 0: the crop is the box,
   * as PaddleOCR's get_rotate_crop_image cuts it). Every margin shrinks the letters in the
   * recogniser's 48 px and read the OCR bench's tuning pages worse (docs/benchmarks.md, "Figures behind the code").
   */
  cropMargin?: number;
  /** The recogniser's dictionary in its model directory (default ppocr_keys_v1.txt). */
  dictionaryFile?: string;
  /**
   * Most recogniser input one request reads, summed over its lines: each line's width at height
   * 48, margins included (default 50,000: about 8 s of recognition on one Lambda vCPU; a page of
   * 400 short words is about 37,000 at the default widthScale). Lines past it, in reading
   * order, are not read: the answer is `truncated`.
   */
  maxRecognitionWidth?: number;
  /**
   * Time after the request's start (decoding and detection included) after which no more lines
   * are started (default 12,000 ms), nor a step the slowest so far says would end after it; a
   * step already started finishes (readingBudget.ts STEP). The answer is then `truncated`.
   */
  timeBudgetMs?: number;
}

/**
 * The pipeline's detection defaults, where they differ from PaddleOCR's (960, unclip 1.5): a phone
 * photo's small print is 16-20 px, and at 960 px a 1,500 px page shrinks it under what DB
 * separates line from line; boxes grown a third more keep the descenders and the first and last
 * letters (the OCR bench's tuning pages, docs/benchmarks.md, "Figures behind the code").
 */
export const OCR_DETECTION = Object.freeze({ limitSide: 1600, unclipRatio: 2 });

/** Defaults of the reading budget: a request well inside API Gateway's 30 s on a Lambda CPU (docs/pipelines.md). */
export const OCR_READING_BUDGET = Object.freeze({ maxRecognitionWidth: 50_000, timeBudgetMs: 12_000 });

const query = strictObject(
  {
    min_confidence: optional(
      coerce
        .number({ error: 'Invalid input: expected a number' })
        .check(minimum(0, 'Too small: expected number to be >=0'), maximum(1, 'Too big: expected number to be <=1')),
    ),
    max_lines: optional(
      coerce.number({ error: 'Invalid input: expected a number' }).check(
        refine((n: number) => Number.isInteger(n), 'Invalid input: expected a whole number'),
        minimum(1, 'Too small: expected number to be >=1'),
      ),
    ),
  },
  {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `Unrecognized key: ${issue.keys.map((k) => `"${k}"`).join(', ')}` : undefined),
  },
);

/**
 * PaddleOCR's dictionary of ch_PP-OCRv4_rec (as the textRecognition route's), named here rather
 * than imported: that module pulls in every processing step, this function needs the image ones.
 */
const DICTIONARY_FILE = 'ppocr_keys_v1.txt';

/** Tall crops (height >= 1.5 x width) hold vertical text: PaddleOCR turns them a quarter first. */
const VERTICAL_RATIO = 1.5;
/** Most pixels all boxes together may cover, in images' worth (lib/core/builtins/ocr/index.ts predict). */
const MAX_CROP_COVERAGE = 2;

/**
 * Full-page OCR from three PaddleOCR models: detection finds the text boxes, each box is cut out
 * and warped upright, the orientation classifier turns the upside-down ones, and recognition
 * reads them, batched. Lines come back in reading order with their box in the image's pixels.
 */
export function createOcr(options: OcrOptions = {}): MultiModelPipeline<OcrResult, OcrModel> {
  // The image codec loads with the handler, in Lambda's init phase, not on its first request.
  loadSharp();
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxBoxes = options.maxBoxes ?? 400;
  const cropMargin = options.cropMargin ?? 0;
  const detection: DetectOptions = { ...OCR_DETECTION, ...options.detection };
  const maxRecognitionWidth = options.maxRecognitionWidth ?? OCR_READING_BUDGET.maxRecognitionWidth;
  const timeBudgetMs = options.timeBudgetMs ?? OCR_READING_BUDGET.timeBudgetMs;
  const loadDictionary = dictionaryLoader(options.dictionaryFile ?? DICTIONARY_FILE, 'ocr');
  const pipeline: MultiModelPipeline<OcrResult, OcrModel> = {
    models: OCR_MODELS,
    accepts: acceptedTypes(IMAGE_INPUT),
    description:
      'Full-page OCR (PaddleOCR PP-OCRv4 detection, direction classifier, recognition): a photo or scan in (PNG, JPEG, WebP; ' +
      'EXIF orientation applied), the lines of text out in reading order, each with its confidence and box. ' +
      'Query: min_confidence (0..1) drops weaker lines, max_lines keeps the first n. A page too big to read within the ' +
      "request's budget answers the lines of its first boxes with truncated: true, truncatedReason and unreadBoxes.",
    resultSchema: {
      type: 'object',
      required: ['lines', 'width', 'height'],
      properties: {
        lines: {
          type: 'array',
          items: {
            type: 'object',
            required: ['text', 'confidence', 'box'],
            properties: {
              text: { type: 'string' },
              confidence: { type: 'number', minimum: 0, maximum: 1 },
              box: {
                type: 'array',
                description: 'four [x, y] corners in image pixels, clockwise from the top-left',
                minItems: 4,
                maxItems: 4,
                items: { type: 'array', items: { type: 'integer' }, minItems: 2, maxItems: 2 },
              },
            },
          },
        },
        width: { type: 'integer' },
        height: { type: 'integer' },
        truncated: { type: 'boolean', enum: [true], description: 'present when the page was not read whole' },
        truncatedReason: { type: 'string', enum: [...TRUNCATION_REASONS], description: 'the bound that stopped the reading' },
        unreadBoxes: { type: 'integer', minimum: 1, description: 'text boxes found and not read' },
      },
    },
    async predict(request, models) {
      const time = Deadline.in(timeBudgetMs);
      const params = parseQuery(request.query, query);
      const image = await decodeImage(readMediaInput(request, IMAGE_INPUT).bytes, { maxPixels });
      const dictionary = loadDictionary(models.recognition.files);
      const boxes = await detectText(image, models.detection, detection);
      if (boxes.length > maxBoxes) {
        throw new BadRequestError(`the image holds ${boxes.length} text boxes, over the limit of ${maxBoxes}: send a part of the page`);
      }
      // Every box is sampled at full resolution (a shrinking warp averages all its pixels), twice:
      // boxes that cover the image many times over (nested rings, hostile input) would take many
      // images' worth of work. A page's text boxes cover it less than once.
      const cropPixels = boxes.reduce((sum, b) => {
        const { width, height } = quadSize(b.quad);
        return sum + width * height;
      }, 0);
      if (cropPixels > MAX_CROP_COVERAGE * image.width * image.height) {
        throw new BadRequestError(
          `the text boxes found cover the image ${(cropPixels / (image.width * image.height)).toFixed(1)} times over, more than ${MAX_CROP_COVERAGE}: send a page of text`,
        );
      }
      const order = readingOrder(boxes.map((b) => b.quad));
      const quads = order.map((i) => boxes[i]!.quad);
      // Each box's upright frame (a quarter turn for vertical text; detectText keeps only boxes
      // that have one): no crop is cut, each model's tensor is sampled from the image through it.
      const turns = quads.map((quad) => {
        const { width, height } = quadSize(quad);
        return height >= VERTICAL_RATIO * width ? 1 : 0;
      });
      const warps = quads.map((quad, i) => boxWarp(quad, turns[i]));
      const margins = warps.map((warp) => Math.round(warp.height * cropMargin));
      const minConfidence = params.min_confidence ?? 0;
      // The boxes a step at a time, in reading order, within the budget (readingBudget.ts); with
      // max_lines, only until that many lines are kept.
      const reading = await readWithinBudget(
        warps.map((warp, i) =>
          recognitionWidth({ warp, margin: margins[i]! }, options.recognition?.maxWidth, options.recognition?.widthScale),
        ),
        { maxRecognitionWidth, time },
        async (start, end) => {
          const part = quads.slice(start, end).map((quad, k) => ({ quad, turns: turns[start + k]!, margin: margins[start + k]! }));
          const texts = await readOriented(image, part, models, await dictionary, {
            orient: { threshold: options.orientationThreshold },
            recognition: options.recognition,
          });
          return texts.map(({ text, confidence, upsideDown }, k): OcrLine => {
            const quad = quads[start + k]!;
            return {
              text,
              confidence: Number(confidence.toFixed(4)),
              // An upside-down line's text starts at the box's bottom-right: its corners are given from there.
              box: (upsideDown ? [2, 3, 0, 1] : [0, 1, 2, 3]).map(
                (c) => [Math.round(quad[c]!.x), Math.round(quad[c]!.y)] as [number, number],
              ),
            };
          });
        },
        (read) => params.max_lines !== undefined && kept(read, minConfidence).length >= params.max_lines,
      );
      let lines = kept(reading.results, minConfidence);
      if (params.max_lines !== undefined) lines = lines.slice(0, params.max_lines);
      const result: OcrResult = { lines, width: image.width, height: image.height };
      return reading.truncatedReason === undefined
        ? result
        : { ...result, truncated: true, truncatedReason: reading.truncatedReason, unreadBoxes: quads.length - reading.read };
    },
  };
  return Object.freeze(pipeline);
}

/** The lines worth answering: some text, at least the confidence asked for. */
function kept(lines: readonly OcrLine[], minConfidence: number): OcrLine[] {
  return lines.filter((line) => line.text !== '' && line.confidence >= minConfidence);
}
