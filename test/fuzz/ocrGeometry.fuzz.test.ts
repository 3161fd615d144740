import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { assertWellFormed, fuzzParameters, watchingProcess } from '../support/fuzz/fuzzHarness';
import { ocrLambda } from '../integration/pipelines/ocrLambda';

/**
 * Degenerate geometry through the whole OCR route (issue 27): tiny and thin pages of a few glyphs,
 * small, turned and placed anywhere, the pages whose detection maps hold one-pixel regions, lines
 * and boxes that clipping flattens. Rendered by sharp, read by the real PaddleOCR models on the
 * Lambda entry: never a 5xx, a crash or an unhandled rejection.
 */
const RUNS = Number(process.env.FUZZ_OCR_PAGES ?? 400);

const glyphs = fc.oneof(
  fc.constantFrom('.', 'o', ';', ':', '1', 'i', "'", '-', ',', 'l', '|', '°', '·'),
  fc.stringMatching(/^[a-z0-9]{1,6}( [a-z0-9]{1,6}){0,7}$/),
);

/** What is drawn (SVG user units), and the size of the page it is then resized to. */
interface TinyPage {
  text: string;
  fontSize: number;
  angle: number;
  /** The drawing's size and where the text starts in it. */
  drawn: { width: number; height: number; x: number; y: number };
  page: { width: number; height: number };
}

/** A few small glyphs on a small page, drawn at its size. */
const smallPage = fc
  .record({
    text: glyphs,
    width: fc.integer({ min: 1, max: 64 }),
    height: fc.integer({ min: 1, max: 40 }),
    fontSize: fc.double({ min: 4, max: 14, noNaN: true }),
    x: fc.double({ min: 0, max: 0.8, noNaN: true }),
    y: fc.double({ min: 0.3, max: 1, noNaN: true }),
    angle: fc.oneof(fc.constant(0), fc.double({ min: -80, max: 80, noNaN: true })),
  })
  .map(({ text, width, height, fontSize, x, y, angle }): TinyPage => {
    const drawn = { width, height, x: x * width, y: y * height };
    return { text, fontSize, angle, drawn, page: { width, height } };
  });

/** A line of words drawn 40 high, squeezed into a strip 1-16 pixels thin (then turned upright or not). */
const strip = fc
  .record({
    text: glyphs,
    long: fc.integer({ min: 20, max: 1500 }),
    thin: fc.integer({ min: 1, max: 16 }),
    fontSize: fc.double({ min: 4, max: 34, noNaN: true }),
    angle: fc.double({ min: -40, max: 40, noNaN: true }),
    upright: fc.boolean(),
  })
  .map(({ text, long, thin, fontSize, angle, upright }): TinyPage => {
    const drawn = { width: long, height: 40, x: 2, y: 20 + fontSize / 3 };
    return { text, fontSize, angle, drawn, page: upright ? { width: thin, height: long } : { width: long, height: thin } };
  });

async function render({ text, fontSize, angle, drawn, page }: TinyPage): Promise<Buffer> {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${drawn.width}" height="${drawn.height}">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    `<text x="${drawn.x}" y="${drawn.y}" font-family="DejaVu Sans" font-size="${fontSize}" ` +
    `transform="rotate(${angle} ${drawn.width / 2} ${drawn.height / 2})">${text}</text></svg>`;
  const upright = page.height > page.width && drawn.width > drawn.height;
  const squeezed = sharp(Buffer.from(svg)).resize(upright ? page.height : page.width, upright ? page.width : page.height, { fit: 'fill' });
  const png = await squeezed.png().toBuffer();
  return upright ? sharp(png).rotate(90).png().toBuffer() : png;
}

describe('fuzzing the OCR route with tiny and thin pages', () => {
  it(`answers ${RUNS} pages of a few small glyphs with no 5xx`, async () => {
    const { post } = ocrLambda();
    const { unhandled } = await watchingProcess(() =>
      fc.assert(
        fc.asyncProperty(fc.oneof(smallPage, strip), async (page) => assertWellFormed(await post(await render(page)))),
        // Shrinking reruns the real models hundreds of times: the first failing page is reported as found.
        { ...fuzzParameters(RUNS), endOnFailure: true },
      ),
    );
    expect(unhandled).toEqual([]);
  }, 300_000);
});
