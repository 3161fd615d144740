import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OcrResult } from '../../../lib/core/builtins/ocr';
import { LocalStackProcess } from '../../support/localStackProcess';
import { tempDir } from '../../support/testHandler';
import { pngClaiming } from '../../unit/processing/pngBomb';
import { noisyJpeg, qualityPageSpecs, renderPage } from './ocrPage';
import { measureOcr } from './ocrQuality';

/**
 * Full-page OCR as a user calls it: `npm start`, then POST /models/ocr/predict over real HTTP to
 * the pipeline function (three PaddleOCR models seeded into the local S3 server as their own model
 * directories). The page is rendered by the test, so its true text and boxes are known.
 */
const dir = tempDir('onnxless-ocr-');
let stack: LocalStackProcess;
let page: Awaited<ReturnType<typeof renderPage>>;
let jpeg: Buffer;

beforeAll(async () => {
  [stack, page] = await Promise.all([LocalStackProcess.create(join(dir, 'local')), renderPage(qualityPageSpecs())]);
  jpeg = await noisyJpeg(page.png);
  await stack.start();
}, 300_000);

afterAll(async () => {
  expect(await stack?.stop()).toBe(0);
  stack?.dispose();
}, 60_000);

const post = (path: string, body: Buffer, contentType: string) =>
  fetch(`${stack.baseUrl}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });

describe('POST /models/ocr/predict on npm start', () => {
  it('reads a noisy JPEG page: >= 95% of the lines found, CER <= 3% on lines >= 20 px (upside-down and +-5 degree lines among them)', async () => {
    const res = await post('/models/ocr/predict', jpeg, 'image/jpeg');
    expect(res.status).toBe(200);
    const result = (await res.json()) as OcrResult;
    const quality = measureOcr(page.lines, result);
    console.info(
      `ocr quality: ${quality.found}/${quality.lines} lines found (${((100 * quality.found) / quality.lines).toFixed(1)}%), ` +
        `CER ${(100 * quality.cer).toFixed(2)}% on lines >= 20 px; ${result.lines.length} lines answered`,
    );
    console.info(quality.rows.filter((r) => r.errors > 0));
    expect(quality.found / quality.lines).toBeGreaterThanOrEqual(0.95);
    expect(quality.cer).toBeLessThanOrEqual(0.03);
    expect([result.width, result.height]).toEqual([page.width, page.height]);
    // Reading order: the rendered lines are one per row, top to bottom.
    const order = quality.rows.map((r) => result.lines.findIndex((l) => l.text === r.got));
    expect(order.filter((i) => i >= 0)).toEqual([...order.filter((i) => i >= 0)].sort((a, b) => a - b));
  });

  it('applies EXIF orientation: a photo stored sideways is read upright, its boxes in the upright frame', async () => {
    // Stored turned a quarter counter-clockwise, tagged "turn 90 clockwise to display" (EXIF 6).
    const sideways = await sharp(jpeg).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer();
    const result = (await (await post('/models/ocr/predict', sideways, 'image/jpeg')).json()) as OcrResult;
    expect([result.width, result.height]).toEqual([page.width, page.height]);
    expect(measureOcr(page.lines, result).found).toBeGreaterThanOrEqual(page.lines.length - 1);
  });

  it('keeps max_lines lines in reading order and drops lines under min_confidence', async () => {
    const two = (await (await post('/models/ocr/predict?max_lines=2', jpeg, 'image/jpeg')).json()) as OcrResult;
    expect(two.lines.map((l) => l.text)).toEqual([page.lines[0]!.text, page.lines[1]!.text]);
    const none = (await (await post('/models/ocr/predict?min_confidence=1', jpeg, 'image/jpeg')).json()) as OcrResult;
    expect(none.lines).toEqual([]);
  });

  it('answers bad requests with {"error"} and the right status', async () => {
    const cases: [string, Buffer, string, number][] = [
      ['/models/ocr/predict?min_confidence=2', jpeg, 'image/jpeg', 400],
      ['/models/ocr/predict?max_lines=0', jpeg, 'image/jpeg', 400],
      ['/models/ocr/predict', Buffer.from('not an image'), 'image/png', 400],
      ['/models/ocr/predict', pngClaiming(100_000, 100_000), 'image/png', 413],
      ['/models/ocr/predict', Buffer.from('hello'), 'text/plain', 415],
    ];
    for (const [path, body, type, status] of cases) {
      const res = await post(path, body, type);
      expect([path, type, res.status]).toEqual([path, type, status]);
      expect(await res.json()).toEqual({ error: expect.any(String) });
    }
  });

  it("lets each member model answer its own OIP routes on the pipeline's function", async () => {
    const meta = await (await fetch(`${stack.baseUrl}/v2/models/ocr-detection`)).json();
    expect(meta).toMatchObject({ name: 'ocr-detection', versions: ['1'], inputs: [{ name: 'x', datatype: 'FP32' }] });
    const infer = await post(
      '/v2/models/ocr-orientation/infer',
      Buffer.from(
        JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3, 48, 192], datatype: 'FP32', data: new Array(3 * 48 * 192).fill(0) }] }),
      ),
      'application/json',
    );
    expect(infer.status).toBe(200);
    expect(((await infer.json()) as { outputs: { shape: number[] }[] }).outputs[0]!.shape).toEqual([1, 2]);
    // The pipeline's own name has no tensors: no metadata route (a 404 from the server function).
    const pipelineMeta = await fetch(`${stack.baseUrl}/v2/models/ocr`);
    expect(pipelineMeta.status).toBe(404);
    expect(await pipelineMeta.json()).toEqual({ error: expect.any(String) });
  });
});
