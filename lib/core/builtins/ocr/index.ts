import { z } from 'zod';
import { BadRequestError } from '../../errors';
import type { MultiModelPipeline } from '../../pipeline/MultiModelPipeline';
import { decodeImage } from '../../processing/image/decodeImage';
import { DEFAULT_MAX_PIXELS } from '../../processing/image/imageHeader';
import { quadSize } from '../../processing/image/quad';
import { parseQuery } from '../../processing/input/jsonBody';
import { IMAGE_INPUT, acceptedTypes, readMediaInput } from '../../processing/input/mediaInput';
import { dictionaryLoader } from '../dictionaryLoader';
import { upsideDown } from './classifyOrientation';
import { detectText, type DetectOptions } from './detectText';
import { readingOrder } from './readingOrder';
import { recognizeLines, type RecognizeOptions } from './recognizeLines';
import { borderBackground, boxWarp } from './boxWarp';
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
}

export interface OcrOptions {
  /** Largest image accepted, in declared pixels (default 16.7 MP); larger is a 413 before decoding. */
  maxPixels?: number;
  /** Most text boxes one image may hold (default 400); more is a 400 asking for a smaller part of the page. */
  maxBoxes?: number;
  detection?: DetectOptions;
  recognition?: RecognizeOptions;
  /** Upside-down crops are turned when the classifier says 180 with at least this score (default 0.9). */
  orientationThreshold?: number;
  /**
   * Paper added around each crop, as a share of the box's height (default 0.35). PP-OCRv4
   * recognition reads the gaps between words as spaces only with some paper around the letters,
   * and DB's boxes hug the ink.
   */
  cropMargin?: number;
  /** The recogniser's dictionary in its model directory (default ppocr_keys_v1.txt). */
  dictionaryFile?: string;
}

const query = z.strictObject({
  min_confidence: z.coerce.number().min(0).max(1).optional(),
  max_lines: z.coerce.number().int().min(1).optional(),
});

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
  const cropMargin = options.cropMargin ?? 0.35;
  const loadDictionary = dictionaryLoader(options.dictionaryFile ?? DICTIONARY_FILE, 'ocr');
  const pipeline: MultiModelPipeline<OcrResult, OcrModel> = {
    models: OCR_MODELS,
    accepts: acceptedTypes(IMAGE_INPUT),
    description:
      'Full-page OCR (PaddleOCR PP-OCRv4 detection, direction classifier, recognition): a photo or scan in (PNG, JPEG, WebP; ' +
      'EXIF orientation applied), the lines of text out in reading order, each with its confidence and box. ' +
      'Query: min_confidence (0..1) drops weaker lines, max_lines keeps the first n.',
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
      },
    },
    async predict(request, models) {
      const params = parseQuery(request.query, query);
      const image = await decodeImage(readMediaInput(request, IMAGE_INPUT).bytes, { maxPixels });
      const dictionary = loadDictionary(models.recognition.files);
      const boxes = await detectText(image, models.detection, options.detection);
      if (boxes.length > maxBoxes) {
        throw new BadRequestError(`the image holds ${boxes.length} text boxes, over the limit of ${maxBoxes}: send a part of the page`);
      }
      // A box with no area (an image a pixel wide or high) has no crop: its warp has no solution.
      const found = boxes.filter((b) => {
        const { width, height } = quadSize(b.quad);
        return width >= 1 && height >= 1;
      });
      // Every box is sampled at full resolution (a shrinking warp averages all its pixels), twice:
      // boxes that cover the image many times over (nested rings, hostile input) would take many
      // images' worth of work. A page's text boxes cover it less than once.
      const cropPixels = found.reduce((sum, b) => {
        const { width, height } = quadSize(b.quad);
        return sum + width * height;
      }, 0);
      if (cropPixels > MAX_CROP_COVERAGE * image.width * image.height) {
        throw new BadRequestError(
          `the text boxes found cover the image ${(cropPixels / (image.width * image.height)).toFixed(1)} times over, more than ${MAX_CROP_COVERAGE}: send a page of text`,
        );
      }
      const order = readingOrder(found.map((b) => b.quad));
      const quads = order.map((i) => found[i]!.quad);
      // Each box's upright frame (a quarter turn for vertical text): no crop is cut, each model's
      // tensor is sampled from the image through the box's perspective map.
      const turns = quads.map((quad) => {
        const { width, height } = quadSize(quad);
        return height >= VERTICAL_RATIO * width ? 1 : 0;
      });
      const warps = quads.map((quad, i) => boxWarp(quad, turns[i]));
      // The classifier sees the boxes as DB cut them (as it was trained); recognition gets them with paper around.
      const flips =
        warps.length === 0 ? [] : await upsideDown(image, warps, models.orientation, { threshold: options.orientationThreshold });
      const toRead = quads.map((quad, i) => {
        const warp = flips[i] ? boxWarp(quad, turns[i]! + 2) : warps[i]!;
        return { warp, margin: Math.round(warp.height * cropMargin), background: borderBackground(image, warp) };
      });
      const texts =
        toRead.length === 0 ? [] : await recognizeLines(image, toRead, models.recognition, await dictionary, options.recognition);
      let lines: OcrLine[] = texts.map(({ text, confidence }, i) => ({
        text,
        confidence: Number(confidence.toFixed(4)),
        // An upside-down line's text starts at the box's bottom-right: its corners are given from there.
        box: (flips[i] ? [2, 3, 0, 1] : [0, 1, 2, 3]).map(
          (k) => [Math.round(quads[i]![k]!.x), Math.round(quads[i]![k]!.y)] as [number, number],
        ),
      }));
      lines = lines.filter((line) => line.text !== '' && line.confidence >= (params.min_confidence ?? 0));
      if (params.max_lines !== undefined) lines = lines.slice(0, params.max_lines);
      return { lines, width: image.width, height: image.height };
    },
  };
  return Object.freeze(pipeline);
}
