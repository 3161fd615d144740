import type { Pipeline } from '../pipeline/Pipeline';
import {
  DEFAULT_MAX_PIXELS,
  IMAGE_INPUT,
  NORMALIZATIONS,
  acceptedTypes,
  ctcGreedyDecode,
  decodeImage,
  imageBatchTensor,
  readMediaInput,
  resizeImage,
  trimDecoded,
} from '../processing';
import { dictionaryLoader } from './dictionaryLoader';
import { firstOutput, inputName } from './modelIo';
import { loadSharp } from '../processing/image/loadSharp';

export interface TextRecognitionResult {
  text: string;
  confidence: number;
}

export interface TextRecognitionOptions {
  /** Largest image accepted, in declared pixels (default 16.7 MP); larger is a 413 before decoding. */
  maxPixels?: number;
  /**
   * The recogniser's character list (ppocr_keys_v1.txt for ch_PP-OCRv4_rec), one character per
   * line: a file in the model's directory, pushed and verified with model.onnx (default
   * `ppocr_keys_v1.txt`).
   */
  dictionaryFile?: string;
  /** Widest line after resizing to height 48 (default 2400: a ratio of 50:1); wider lines are squeezed. */
  maxWidth?: number;
}

// PaddleOCR's rec preprocessing (tools/infer/predict_rec.py, rec_image_shape 3,48,320): height 48,
// width ceil(48 * w / h), BGR, (x/255 - 0.5)/0.5, right-padded with 0 to at least 320.
const HEIGHT = 48;
const MIN_WIDTH = 320;

/** PaddleOCR's name for the dictionary of its Chinese/English recognisers. */
export const DICTIONARY_FILE = 'ppocr_keys_v1.txt';

/** One cropped line of text in, its text out: PaddleOCR PP-OCRv4 recognition with CTC decoding. */
export function createTextRecognition(options: TextRecognitionOptions = {}): Pipeline<TextRecognitionResult> {
  // The image codec loads with the handler, in Lambda's init phase, not on its first request.
  loadSharp();
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const maxWidth = options.maxWidth ?? 2400;
  const dictionaryFile = options.dictionaryFile ?? DICTIONARY_FILE;
  const loadDictionary = dictionaryLoader(dictionaryFile, 'textRecognition');
  const pipeline: Pipeline<TextRecognitionResult> = {
    accepts: acceptedTypes(IMAGE_INPUT),
    description: 'Text recognition (PaddleOCR PP-OCRv4): an image of one line of text in, the text out.',
    resultSchema: {
      type: 'object',
      properties: {
        text: { type: 'string' },
        confidence: { type: 'number', minimum: 0, maximum: 1, description: 'mean probability of the recognised characters' },
      },
      required: ['text', 'confidence'],
    },
    async predict(request, runner) {
      const image = await decodeImage(readMediaInput(request, IMAGE_INPUT).bytes, { maxPixels });
      const { image: resized } = await resizeImage(image, { mode: 'fixedHeight', height: HEIGHT, maxWidth }, { kernel: 'linear' });
      const x = imageBatchTensor([resized], {
        order: 'bgr',
        layout: 'nchw',
        normalization: NORMALIZATIONS.symmetric,
        width: Math.max(MIN_WIDTH, resized.width),
      });
      const [characters, outputs] = await Promise.all([loadDictionary(runner.files), runner.run({ [inputName(runner, 'x')]: x })]);
      // Output [1, T, classes] is already softmaxed by the exported graph.
      const { text, confidence } = trimDecoded(ctcGreedyDecode(firstOutput(runner, outputs).data as Float32Array, characters));
      return { text, confidence };
    },
  };
  return Object.freeze(pipeline);
}
