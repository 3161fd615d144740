import type { Pipeline } from '../pipeline/Pipeline';
import {
  DEFAULT_MAX_PIXELS,
  IMAGE_INPUT,
  NORMALIZATIONS,
  acceptedTypes,
  argmax,
  decodeImage,
  imageBatchTensor,
  readMediaInput,
  resizeImage,
} from '../processing';
import { firstOutput, inputName } from './modelIo';
import { loadSharp } from '../processing/image/loadSharp';

/** Classes of PaddleOCR's direction classifier (ch_ppocr_mobile_v2.0_cls), in output order. */
export const ORIENTATION_LABELS = ['0', '180'] as const;

export interface TextOrientationResult {
  label: (typeof ORIENTATION_LABELS)[number];
  score: number;
}

export interface TextOrientationOptions {
  /** Largest image accepted, in declared pixels (default 16.7 MP); larger is a 413 before decoding. */
  maxPixels?: number;
}

// PaddleOCR's cls preprocessing (tools/infer/predict_cls.py, cls_image_shape 3,48,192): resize to
// height 48 keeping the ratio, at most 192 wide, BGR, (x/255 - 0.5)/0.5, right-pad with 0 to 192.
const HEIGHT = 48;
const WIDTH = 192;

/** Is this cropped text line upright or upside down? PaddleOCR's text direction classifier. */
export function createTextOrientation(options: TextOrientationOptions = {}): Pipeline<TextOrientationResult> {
  // The image codec loads with the handler, in Lambda's init phase, not on its first request.
  loadSharp();
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const pipeline: Pipeline<TextOrientationResult> = {
    accepts: acceptedTypes(IMAGE_INPUT),
    description: 'Text line orientation (PaddleOCR direction classifier): is a cropped line of text upright (0) or upside down (180)?',
    resultSchema: {
      type: 'object',
      properties: {
        label: { type: 'string', enum: [...ORIENTATION_LABELS], description: 'rotation of the text in degrees' },
        score: { type: 'number', minimum: 0, maximum: 1 },
      },
      required: ['label', 'score'],
    },
    async predict(request, runner) {
      const image = await decodeImage(readMediaInput(request, IMAGE_INPUT).bytes, { maxPixels });
      const { image: resized } = await resizeImage(image, { mode: 'fixedHeight', height: HEIGHT, maxWidth: WIDTH }, { kernel: 'linear' });
      const x = imageBatchTensor([resized], { order: 'bgr', layout: 'nchw', normalization: NORMALIZATIONS.symmetric, width: WIDTH });
      const probabilities = firstOutput(runner, await runner.run({ [inputName(runner, 'x')]: x })).data as Float32Array;
      const best = argmax(probabilities);
      return { label: ORIENTATION_LABELS[best]!, score: probabilities[best]! };
    },
  };
  return Object.freeze(pipeline);
}
