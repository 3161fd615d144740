import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from '../support/localStackProcess';
import { pageErrors, screenshot } from '../support/browser';

export const FIXTURE_PNG = join(ROOT, 'test/fixtures/images/hello-42.png');
export const FIXTURE_WAV = join(ROOT, 'test/fixtures/audio/speech-in-silence.wav');

/** What the README and the fixtures' READMEs say these files hold. */
export const PNG_TEXT = 'HELLO 42';
export const WAV_SPEECH = { start: 2.015, end: 5.045 };

/** A fresh page whose errors fail the test at `done`. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; done: () => Promise<void> }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = pageErrors(page);
  await page.goto(url);
  return {
    page,
    done: async () => {
      await page.close();
      expect(errors).toEqual([]);
    },
  };
}

/**
 * /docs: Swagger UI on the API's document; the text-recognition domain route tried through the
 * UI with the fixture PNG, and the recognised text read from the answer the page shows; with the
 * SigV4 lines the page shows under `auth: iam` (null where it shows none).
 */
export async function readPngThroughDocs(browser: Browser, base: string, shot: string): Promise<{ text: string; signing: string | null }> {
  const { page, done } = await openPage(browser, `${base}/docs`);
  const signing = page.locator('[data-signing]');
  const signingText = (await signing.count()) > 0 ? await signing.textContent() : null;
  const operation = page.locator('.opblock-post', { hasText: '/models/text-recognition/predict' });
  await operation.locator('.opblock-summary').click();
  const tryIt = operation.locator('button.try-out__btn');
  if ((await tryIt.count()) > 0 && /try it out/i.test((await tryIt.textContent()) ?? '')) await tryIt.click();
  await operation.locator('.body-param-content-type select, select[aria-label="Request content type"]').first().selectOption('image/png');
  await operation.locator('input[type="file"]').setInputFiles(FIXTURE_PNG);
  await operation.locator('button.execute').click();
  const body = operation.locator('.live-responses-table .response-col_description pre').first();
  await body.waitFor();
  const answer = JSON.parse((await body.textContent()) ?? '') as { text: string; confidence: number };
  await body.scrollIntoViewIfNeeded();
  const picture = await screenshot(page, shot);
  expect(picture.differing / picture.total).toBeGreaterThan(0.02);
  await done();
  return { text: answer.text, signing: signingText };
}

/**
 * /playground: the voice-activity page, the fixture WAV uploaded, and the speech segments read
 * from the list the page draws beside the waveform.
 */
export async function readSegmentsThroughPlayground(
  browser: Browser,
  base: string,
  shot: string,
): Promise<Array<{ start: number; end: number }>> {
  const { page, done } = await openPage(browser, `${base}/playground#voice-activity`);
  await page.locator('[data-page="voice-activity"] input[data-input="audio"]').setInputFiles(FIXTURE_WAV);
  const list = page.locator('[data-segments]');
  await list.waitFor();
  const times = await page.locator('[data-segment] .times').allTextContents();
  await page.locator('canvas.waveform').waitFor();
  const curl = (await page.locator('[data-curl]').textContent()) ?? '';
  expect(curl).toContain(`${base}/models/voice-activity/predict`);
  expect(curl).toContain("-H 'content-type: audio/wav'");
  const picture = await screenshot(page, shot);
  expect(picture.differing / picture.total).toBeGreaterThan(0.02);
  await done();
  return times.map((t) => {
    const [start, end] = [...t.matchAll(/([\d.]+) s/g)].map((m) => Number(m[1]));
    return { start: start as number, end: end as number };
  });
}
