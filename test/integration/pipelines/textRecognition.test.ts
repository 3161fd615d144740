import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelRunner } from '../../../lib/core/pipeline/Pipeline';
import { pipelines } from '../../../lib/core/builtins';
import { directRunner } from './directRunner';
import { MODELS } from './models';
import { randomPhrases, renderLine } from './renderText';

const PHRASES = 10;
const REQUIRED = 9;

describe('textRecognition pipeline (PP-OCRv4 rec, real model)', () => {
  let runner: ModelRunner;
  beforeAll(async () => {
    runner = await directRunner(MODELS.textRecognition);
  });

  it(`reads back at least ${REQUIRED} of ${PHRASES} rendered random phrases exactly`, async () => {
    // Seeded: the same 10 phrases every run ("silver castle 7QH3"...), rendered by the test itself.
    const phrases = randomPhrases(PHRASES, 20240611);
    const results: { expected: string; got: string; confidence: number }[] = [];
    for (const expected of phrases) {
      const body = await renderLine(expected);
      const { text, confidence } = await pipelines.textRecognition.predict({ contentType: 'image/png', body, query: {} }, runner);
      results.push({ expected, got: text, confidence });
    }
    const correct = results.filter((r) => r.got === r.expected).length;
    console.info(
      `textRecognition: ${correct}/${PHRASES} read exactly`,
      results.filter((r) => r.got !== r.expected),
    );
    expect(correct).toBeGreaterThanOrEqual(REQUIRED);
    for (const r of results) expect(r.confidence).toBeGreaterThan(0);
  });

  it('takes the same image as base64 in JSON and as JPEG', async () => {
    const png = await renderLine('harbor 42');
    const fromJson = await pipelines.textRecognition.predict(
      { contentType: 'application/json', body: Buffer.from(JSON.stringify({ image: png.toString('base64') })), query: {} },
      runner,
    );
    expect(fromJson.text).toBe('harbor 42');
    const sharp = (await import('sharp')).default;
    const jpeg = await sharp(png).jpeg({ quality: 90 }).toBuffer();
    const fromJpeg = await pipelines.textRecognition.predict({ contentType: 'image/jpeg', body: jpeg, query: {} }, runner);
    expect(fromJpeg.text).toBe('harbor 42');
  });

  it('returns empty text with confidence 0 for a blank image', async () => {
    const sharp = (await import('sharp')).default;
    const blank = await sharp({ create: { width: 200, height: 40, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    expect(await pipelines.textRecognition.predict({ contentType: 'image/png', body: blank, query: {} }, runner)).toEqual({
      text: '',
      confidence: 0,
    });
  });
});
