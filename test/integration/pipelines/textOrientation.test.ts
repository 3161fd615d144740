import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelRunner } from '../../../lib/core/pipeline/Pipeline';
import { pipelines } from '../../../lib/core/builtins';
import { directRunner } from './directRunner';
import { MODELS } from './models';
import { randomPhrases, renderLine } from './renderText';

const LINES = 10;
const REQUIRED = 9;

describe('textOrientation pipeline (PaddleOCR direction classifier, real model)', () => {
  let runner: ModelRunner;
  beforeAll(async () => {
    runner = await directRunner(MODELS.textOrientation);
  });

  it(`tells upright from upside-down in at least ${REQUIRED} of ${LINES} lines each way`, async () => {
    const phrases = randomPhrases(LINES, 777);
    let upright = 0;
    let flipped = 0;
    for (const phrase of phrases) {
      const up = await pipelines.textOrientation.predict({ contentType: 'image/png', body: await renderLine(phrase), query: {} }, runner);
      const down = await pipelines.textOrientation.predict(
        { contentType: 'image/png', body: await renderLine(phrase, { rotate180: true }), query: {} },
        runner,
      );
      if (up.label === '0') upright++;
      if (down.label === '180') flipped++;
      expect(up.score).toBeGreaterThanOrEqual(0.5);
      expect(up.score).toBeLessThanOrEqual(1);
    }
    console.info(`textOrientation: upright ${upright}/${LINES}, rotated 180° ${flipped}/${LINES}`);
    expect(upright).toBeGreaterThanOrEqual(REQUIRED);
    expect(flipped).toBeGreaterThanOrEqual(REQUIRED);
  });

  it('honours EXIF orientation: a stored-upside-down JPEG tagged orientation 3 reads as upright', async () => {
    const sharp = (await import('sharp')).default;
    const stored = await sharp(await renderLine('garden 2024', { rotate180: true }))
      .withMetadata({ orientation: 3 })
      .jpeg()
      .toBuffer();
    const untagged = await sharp(await renderLine('garden 2024', { rotate180: true }))
      .jpeg()
      .toBuffer();
    expect((await pipelines.textOrientation.predict({ contentType: 'image/jpeg', body: stored, query: {} }, runner)).label).toBe('0');
    expect((await pipelines.textOrientation.predict({ contentType: 'image/jpeg', body: untagged, query: {} }, runner)).label).toBe('180');
  });
});
