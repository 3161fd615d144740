import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelRunner } from '../../../lib/core/pipeline/Pipeline';
import { createOcr, type OcrModel } from '../../../lib/core/builtins/ocr';
import { EXAMPLE_WEIGHTS } from '../../../lib/tools/local/exampleWeights';
import { directRunner } from './directRunner';
import { renderPage, twentyLineSpecs } from './ocrPage';

/** The OCR pipeline on the three real models in-process, each runner counting its runs. */
describe('the ocr pipeline (real PaddleOCR models, in-process)', () => {
  let models: Record<OcrModel, ModelRunner>;
  const runs: Record<OcrModel, number> = { detection: 0, orientation: 0, recognition: 0 };
  beforeAll(async () => {
    const counted = async (role: OcrModel, path: string): Promise<ModelRunner> => {
      const runner = await directRunner(path);
      return { ...runner, run: (feeds, names) => ((runs[role] += 1), runner.run(feeds, names)) };
    };
    models = {
      detection: await counted('detection', EXAMPLE_WEIGHTS['ocr-detection']!),
      orientation: await counted('orientation', EXAMPLE_WEIGHTS['ocr-orientation']!),
      recognition: await counted('recognition', EXAMPLE_WEIGHTS['ocr-recognition']!),
    };
  });

  it('batches: one detection run, one orientation run per reading step, recognition in even batches of at most 6 crops of similar width', async () => {
    const page = await renderPage(twentyLineSpecs(), { columns: 2 });
    // No time budget here: on a loaded machine the default 12 s would end the reading after its
    // first step (the budget is tested on its own, in counts); this test is about the batches.
    const result = await createOcr({ timeBudgetMs: 600_000 }).predict({ contentType: 'image/png', body: page.png, query: {} }, models);
    expect(result.lines).toHaveLength(20);
    // Each line is 440-520 px of recogniser input (a quarter wider than its aspect ratio), so the
    // page is two steps of at most 8,000 px (readingBudget.ts STEP): 17 boxes (6, 6, 5) and 3.
    expect(runs).toEqual({ detection: 1, orientation: 2, recognition: 4 });
  });

  it('answers 400 naming the count when the page holds more boxes than the limit', async () => {
    const page = await renderPage(twentyLineSpecs().slice(0, 3));
    await expect(createOcr({ maxBoxes: 2 }).predict({ contentType: 'image/png', body: page.png, query: {} }, models)).rejects.toMatchObject(
      {
        status: 400,
        message: expect.stringMatching(/holds 3 text boxes, over the limit of 2/),
      },
    );
  });

  it('answers no lines for a blank page, without running the line models', async () => {
    const before = { ...runs };
    const blank = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    expect(await createOcr().predict({ contentType: 'image/png', body: blank, query: {} }, models)).toEqual({
      lines: [],
      width: 300,
      height: 200,
    });
    expect(runs).toEqual({ ...before, detection: before.detection + 1 });
  });

  it('answers an image one pixel high or wide, striped, without failing in detection or cropping', async () => {
    for (const [width, height] of [
      [600, 1],
      [1, 600],
    ] as const) {
      const raw = Buffer.alloc(width * height * 3, 255);
      for (let i = 0; i < raw.length; i += 30) raw.fill(0, i, i + 12); // dark strokes along the pixel row
      const thin = await sharp(raw, { raw: { width, height, channels: 3 } })
        .png()
        .toBuffer();
      const result = (await createOcr().predict({ contentType: 'image/png', body: thin, query: {} }, models)) as {
        width: number;
        height: number;
      };
      expect([result.width, result.height]).toEqual([width, height]);
    }
  });
});
