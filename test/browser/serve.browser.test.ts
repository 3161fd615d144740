import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_MODELS } from '../../lib/tools/local/exampleWeights';
import { getPipeline } from '../../lib/core/builtins/index';
import { launchChromium } from '../support/browser';
import { trainAndExport, type TrainResult } from '../../lib/tools/train/trainAndExport';
import { startTestServer, tempDir } from '../integration/server/helpers';
import { PNG_TEXT, WAV_SPEECH, openPage, readPngThroughDocs, readSegmentsThroughPlayground } from './pageChecks';

/**
 * `onnxless serve` with the example OCR, VAD and text models (folders of their files) and a dense
 * regression network trained in the test (10 inputs, 3 outputs), driven by a real chromium.
 */
describe('onnxless serve in a browser', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let trained: TrainResult;

  beforeAll(async () => {
    const models: Record<string, { weights: string; pipeline: string; version: string }> = {};
    for (const [name, pipeline] of [
      ['text-recognition', 'textRecognition'],
      ['voice-activity', 'voiceActivity'],
      ['text-embedding', 'textEmbedding'],
    ] as const) {
      const dir = join(tempDir('onnxless-browser-'), name);
      mkdirSync(dir);
      for (const file of EXAMPLE_MODELS[name]!) symlinkSync(file.from, join(dir, file.path));
      models[name] = { weights: dir, pipeline, version: '1' };
    }
    // Trained here, as `npm run train` does: model.onnx with its facts, model.loss.svg beside it.
    const dense = join(tempDir('onnxless-browser-'), 'dense');
    trained = await trainAndExport({ out: join(dense, 'model.onnx'), layers: [10, 3], epochs: 12, learningRate: 0.01, seed: 3 });
    models.dense = { weights: dense, pipeline: 'denseRegression', version: '1' };
    [browser, server] = await Promise.all([launchChromium(), startTestServer({ models, workers: 1 }, { resolvePipeline: getPipeline })]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.drain(5_000);
  });

  it('reads the PNG through /docs: Swagger UI tries text-recognition with the file', async () => {
    // serve has no auth: no signing lines.
    expect(await readPngThroughDocs(browser, server.url, 'serve-docs')).toEqual({ text: PNG_TEXT, signing: null });
  });

  it('finds the speech in the WAV through /playground, drawn on its waveform', async () => {
    const segments = await readSegmentsThroughPlayground(browser, server.url, 'serve-playground');
    expect(segments).toHaveLength(1);
    expect(segments[0]!.start).toBeCloseTo(WAV_SPEECH.start, 1);
    expect(segments[0]!.end).toBeGreaterThan(WAV_SPEECH.end);
    expect(segments[0]!.end).toBeLessThan(WAV_SPEECH.end + 0.25);
  });

  it('gives the text model a text box, one text per line, and shows one vector per text', async () => {
    const { page, done } = await openPage(browser, `${server.url}/playground#text-embedding`);
    await page.locator('[data-page="text-embedding"] textarea[data-field="texts"]').fill('a cat sat on the mat\nthe stock market fell');
    await page.locator('[data-page="text-embedding"] button[type="submit"]').click();
    await page.locator('[data-vector]').first().waitFor();
    expect(await page.locator('[data-vector]').count()).toBe(2);
    expect(await page.locator('[data-curl]').textContent()).toContain(`-d '{"texts":["a cat sat on the mat","the stock market fell"]}'`);
    await done();
  });

  it("builds the JSON model's form from its body schema, one field per input the model takes, and sends what it shows", async () => {
    const { page, done } = await openPage(browser, `${server.url}/playground#dense`);
    const fields = page.locator('[data-page="dense"] input[data-number]');
    await expect.poll(() => fields.count()).toBe(10);
    await page.locator('[data-page="dense"] button[type="submit"]').click();
    await page.locator('[data-vector]').waitFor();
    const sample = Array.from({ length: 10 }, (_, i) => Number(((i + 1) / 10).toFixed(1)));
    const direct = await (
      await fetch(`${server.url}/models/dense/predict`, {
        method: 'POST',
        body: JSON.stringify(sample),
        headers: { 'content-type': 'application/json' },
      })
    ).json();
    expect(JSON.parse((await page.locator('[data-result="json"]').textContent()) ?? '')).toEqual(direct);
    expect(await page.locator('[data-vector]').textContent()).toMatch(/\(3 values\)$/);
    expect(await page.locator('[data-curl]').textContent()).toContain(`-d '${JSON.stringify(sample)}'`);
    await done();
  });

  it("shows a trained model's facts from its ONNX metadata and the loss curve pushed beside it", async () => {
    const { page, done } = await openPage(browser, `${server.url}/playground#dense`);
    const fact = (label: string) => page.locator(`[data-page="dense"] [data-training] tr[data-fact="${label}"] td`).textContent();
    await page.locator('[data-page="dense"] [data-training]').waitFor();
    expect(await fact('optimizer')).toBe(trained.options.optimizer);
    expect(await fact('learning rate')).toBe('0.01');
    expect(await fact('epochs')).toBe('12');
    expect(Number(await fact('final validation loss'))).toBeCloseTo(trained.finalValidationLoss, 10);
    // The curve is drawn: the image decoded to a real size, from the file the trainer wrote.
    const curve = page.locator('[data-page="dense"] img.loss-curve');
    await expect
      .poll(() =>
        curve.evaluate((img) => {
          const image = img as unknown as { complete: boolean; naturalWidth: number };
          return image.complete ? image.naturalWidth : 0;
        }),
      )
      .toBeGreaterThan(100);
    const src = decodeURIComponent((await curve.getAttribute('src'))!.replace(/^data:image\/svg\+xml;charset=utf-8,/, ''));
    expect(src).toBe(readFileSync(trained.lossCurvePath, 'utf8'));
    await done();
  });
});
