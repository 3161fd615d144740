import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OcrResult } from '../../../lib/core/builtins/ocr';
import { createTextOrientation, createTextRecognition } from '../../../lib/core/builtins';
import type { ModelRunner, Pipeline } from '../../../lib/core/pipeline/Pipeline';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { jsonBody } from '../../support/httpApiEvent';
import { REAL_MODELS } from '../../support/realModels';
import { call, startTestServer } from '../server/helpers';
import { directRunner } from './directRunner';
import { OCR_MEMBERS, ocrLambda } from './ocrLambda';

/**
 * Issue 27, item 1: a 168-byte PNG (DejaVu Sans "o" at 6 px on 24 x 12 white, as sharp renders
 * it) whose detection map holds one region of a single pixel over both DB thresholds: two equal
 * hull points, no minimum-area rectangle, a TypeError and a 500 on every serving form. Now it is
 * read as a page with no text. The models are the real PaddleOCR ones, in real onnxruntime.
 */
const ONE_PIXEL_REGION_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAMCAYAAAB4MH11AAAACXBIWXMAAAsTAAALEwEAmpwYAAAAWklEQVQ4je3RsQkAIRBEUQt2U0NLMN1ChDW3AiuwCtlM/jXhwQk3DTyYH3h54Qfuu6j3TkoJEWGtdR6IMbL3prVGrfU8kHNmzkkphTHGecDdUVXM7NLIfA14AOf3biVz2uNXAAAAAElFTkSuQmCC',
  'base64',
);

describe('OCR of a page whose detection finds a one-pixel region', () => {
  it('answers 200 with no lines on the Lambda entry (was a 500: minAreaRect found no rectangle)', async () => {
    const result = await ocrLambda().post(ONE_PIXEL_REGION_PNG);
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual({ lines: [], width: 24, height: 12 });
  });

  describe('on onnxless serve', () => {
    let server: Awaited<ReturnType<typeof startTestServer>>;
    beforeAll(async () => {
      server = await startTestServer({
        workers: 1,
        processingThreads: 1,
        models: Object.fromEntries(Object.values(OCR_MEMBERS).map((name) => [name, { weights: EXAMPLE_WEIGHTS[name]! }])),
        pipelines: { ocr: { pipeline: 'ocr', models: OCR_MEMBERS } },
      });
    }, 60_000);
    afterAll(() => server?.drain(5_000));

    it('answers 200 with no lines', async () => {
      const reply = await call(server.url, 'POST', '/models/ocr/predict', ONE_PIXEL_REGION_PNG, { 'content-type': 'image/png' });
      expect(reply.status).toBe(200);
      expect(reply.json<OcrResult>().lines).toEqual([]);
    });
  });
});

/** Images of odd shapes (a pixel, a pixel-wide strip, 1:20000), blank, black, striped or noisy, as PNG, JPEG and WebP. */
async function oddImages(): Promise<{ name: string; body: Buffer; type: string }[]> {
  const sizes: [number, number][] = [
    [1, 1],
    [1, 2],
    [2, 1],
    [3, 3],
    [1, 5000],
    [5000, 1],
    [2, 900],
    [900, 2],
    [4, 20_000],
    [20_000, 4],
  ];
  const fills = {
    black: () => 0,
    stripes: (x: number, y: number) => (((x + y) >> 2) % 3 === 0 ? 0 : 255) as number,
    noise: (x: number, y: number) => ((x * 7919 + y * 104729) % 13 < 6 ? 0 : 255),
  };
  const images: { name: string; body: Buffer; type: string }[] = [];
  for (const [width, height] of sizes) {
    for (const [fill, value] of Object.entries(fills)) {
      const raw = Buffer.alloc(width * height * 3);
      for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw.fill(value(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
      const image = () => sharp(raw, { raw: { width, height, channels: 3 } });
      images.push({ name: `${width}x${height} ${fill} png`, body: await image().png().toBuffer(), type: 'image/png' });
      images.push({ name: `${width}x${height} ${fill} jpeg`, body: await image().jpeg().toBuffer(), type: 'image/jpeg' });
      // WebP holds at most 16383 pixels a side.
      if (Math.max(width, height) <= 16_383)
        images.push({ name: `${width}x${height} ${fill} webp`, body: await image().webp().toBuffer(), type: 'image/webp' });
    }
  }
  return images;
}

describe('every image pipeline on images of odd shapes', () => {
  let images: Awaited<ReturnType<typeof oddImages>>;
  let lineModels: { textRecognition: ModelRunner; textOrientation: ModelRunner };
  beforeAll(async () => {
    [images, lineModels] = await Promise.all([
      oddImages(),
      Promise.all([directRunner(REAL_MODELS.textRecognition), directRunner(REAL_MODELS.textOrientation)]).then(([r, o]) => ({
        textRecognition: r,
        textOrientation: o,
      })),
    ]);
  }, 60_000);

  it('ocr answers every one on the Lambda entry with 200, or a 4xx naming a limit', async () => {
    const { post } = ocrLambda();
    const failed: string[] = [];
    for (const { name, body, type } of images) {
      const result = await post(body, type);
      if (result.statusCode !== 200 && !(result.statusCode < 500 && typeof jsonBody(result).error === 'string'))
        failed.push(`${name}: ${result.statusCode} ${result.body.slice(0, 200)}`);
    }
    expect(failed).toEqual([]);
  }, 120_000);

  it.each(['textRecognition', 'textOrientation'] as const)(
    '%s answers every one, or refuses it with a 4xx',
    async (name) => {
      const pipeline: Pipeline = name === 'textRecognition' ? createTextRecognition() : createTextOrientation();
      const failed: string[] = [];
      for (const { name: image, body, type } of images) {
        await pipeline.predict({ contentType: type, body, query: {} }, lineModels[name]).catch((err: Error & { status?: number }) => {
          // A clear refusal (over the pixel limits: 413) is an answer; anything else would be a 500.
          if (!(err.status !== undefined && err.status < 500)) failed.push(`${image}: ${err.message}`);
        });
      }
      expect(failed).toEqual([]);
    },
    120_000,
  );
});
