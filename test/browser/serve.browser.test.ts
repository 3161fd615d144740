import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_MODELS } from '../../lib/local/exampleWeights';
import { getPipeline } from '../../lib/pipelines/index';
import { launchChromium } from '../support/browser';
import { startTestServer, tempDir } from '../integration/server/helpers';
import { PNG_TEXT, WAV_SPEECH, readPngThroughDocs, readSegmentsThroughPlayground } from './pageChecks';

/** `onnxless serve` with the example OCR and VAD models (folders of their files), driven by a real chromium. */
describe('onnxless serve in a browser', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    const models: Record<string, { weights: string; pipeline: string; version: string }> = {};
    for (const [name, pipeline] of [['text-recognition', 'textRecognition'], ['voice-activity', 'voiceActivity']] as const) {
      const dir = join(tempDir('onnxless-browser-'), name);
      mkdirSync(dir);
      for (const file of EXAMPLE_MODELS[name]!) symlinkSync(file.from, join(dir, file.path));
      models[name] = { weights: dir, pipeline, version: '1' };
    }
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
});
