import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { LocalStackProcess } from '../support/localStackProcess';
import { tempDir } from '../support/testHandler';
import { renderPage } from '../integration/pipelines/ocrPage';
import { FIXTURE_PNG, PNG_TEXT, WAV_SPEECH, openPage, readPngThroughDocs, readSegmentsThroughPlayground } from './pageChecks';

/**
 * `npm start` (the server function behind the HTTP API's $default route, under serverless-offline)
 * driven by a real chromium: /docs tries the OCR route with the fixture PNG, /playground finds the
 * speech in the fixture WAV. The playground screenshot is the README's.
 */
describe('npm start in a browser', () => {
  let browser: Browser;
  let stack: LocalStackProcess;

  beforeAll(async () => {
    stack = await LocalStackProcess.create(join(tempDir('onnxless-browser-stack-'), 'local'));
    [browser] = await Promise.all([launchChromium(), stack.start()]);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    const code = await stack?.stop();
    stack?.dispose();
    expect(code).toBe(0);
  }, 60_000);

  it('reads the PNG through /docs: Swagger UI tries text-recognition with the file, and shows how to sign calls under auth: iam', async () => {
    const { text, signing } = await readPngThroughDocs(browser, stack.baseUrl, 'local-docs');
    expect(text).toBe(PNG_TEXT);
    // The example registry says auth: iam: the page gives this API's SigV4 lines.
    expect(signing).toMatch(new RegExp(`^awscurl --service execute-api --region [a-z0-9-]+ '${stack.baseUrl}/v2'`));
    expect(signing).toContain(`--aws-sigv4 'aws:amz:`);
    expect(signing).toContain(`'${stack.baseUrl}/models/`);
  });

  it('finds the speech in the WAV through /playground, drawn on its waveform', async () => {
    const segments = await readSegmentsThroughPlayground(browser, stack.baseUrl, 'local-playground');
    expect(segments).toHaveLength(1);
    expect(segments[0]!.start).toBeCloseTo(WAV_SPEECH.start, 1);
    expect(segments[0]!.end).toBeGreaterThan(WAV_SPEECH.end);
    expect(segments[0]!.end).toBeLessThan(WAV_SPEECH.end + 0.25);
  });

  it('draws the image with its text on the text-recognition page', async () => {
    const { page, done } = await openPage(browser, `${stack.baseUrl}/playground#text-recognition`);
    await page.locator('[data-page="text-recognition"] input[data-input="image"]').setInputFiles(FIXTURE_PNG);
    await page.locator('canvas[data-drawn]').waitFor();
    expect(await page.locator('[data-result="text"]').textContent()).toBe(PNG_TEXT);
    // serverless-offline checks no signature: the line is plain curl, which works here as it is.
    expect(await page.locator('[data-curl]').textContent()).toBe(
      `curl -s -X POST -H 'content-type: image/png' --data-binary '@hello-42.png' '${stack.baseUrl}/models/text-recognition/predict'`,
    );
    await done();
  });

  it('turns an upside-down line back upright on the text-orientation page, as the model says 180', async () => {
    const upsideDown = join(tempDir('onnxless-browser-'), 'upside-down.png');
    await sharp(FIXTURE_PNG).rotate(180).toFile(upsideDown);
    const { page, done } = await openPage(browser, `${stack.baseUrl}/playground#text-orientation`);
    await page.locator('[data-page="text-orientation"] input[data-input="image"]').setInputFiles(upsideDown);
    await page.locator('canvas[data-drawn]').waitFor();
    expect(await page.locator('[data-result="label"]').textContent()).toMatch(/^180/);
    expect(await page.locator('canvas[data-drawn]').getAttribute('data-rotated')).toBe('180');
    await done();
  });

  it('draws the photo with the lines the ocr pipeline read, and lists them', async () => {
    const photo = join(tempDir('onnxless-browser-'), 'page.png');
    const rendered = await renderPage([
      { text: 'Serverless pipelines 42', fontSize: 32 },
      { text: 'river stone K7Q2', fontSize: 28, angle: 180 },
    ]);
    await sharp(rendered.png).toFile(photo);
    const { page, done } = await openPage(browser, `${stack.baseUrl}/playground#ocr`);
    await page.locator('[data-page="ocr"] input[data-input="image"]').setInputFiles(photo);
    await page.locator('canvas[data-drawn]').waitFor();
    const result = JSON.parse((await page.locator('[data-result="json"]').textContent()) ?? '{}') as {
      lines: { text: string; box: number[][] }[];
    };
    expect(result.lines.map((l) => [l.text, l.box.length])).toEqual([
      ['Serverless pipelines 42', 4],
      ['river stone K7Q2', 4],
    ]);
    await done();
  });
});
