import sharp, { type OverlayOptions } from 'sharp';
import { randomPhrases, renderLine, seededRandom } from './renderText';

/** One line placed on a rendered page: its text, its letter height and where its ink is. */
export interface PageLine {
  text: string;
  fontSize: number;
  /** Axis-aligned box of the line's ink on the page (of the turned ink, for a skewed line). */
  box: { left: number; top: number; width: number; height: number };
  /** Degrees the line is turned: 0, 180, or a small skew. */
  angle: number;
}

export interface LineSpec {
  text: string;
  fontSize: number;
  angle?: number;
}

/**
 * A page of text lines rendered by the test itself (DejaVu Sans through librsvg inside sharp):
 * each line is rendered, trimmed to its ink, turned by its angle and composited at a known place,
 * so every line's true text and box are known. Lines may sit two to a row (`columns: 2`).
 */
export async function renderPage(
  specs: readonly LineSpec[],
  options: { width?: number; margin?: number; gap?: number; columns?: 1 | 2 } = {},
): Promise<{ png: Buffer; width: number; height: number; lines: PageLine[] }> {
  const margin = options.margin ?? 40;
  const gap = options.gap ?? 24;
  const columns = options.columns ?? 1;
  const pageWidth = options.width ?? 1000;
  const inks = await Promise.all(
    specs.map(async (spec) => {
      const trimmed = await sharp(await renderLine(spec.text, { fontSize: spec.fontSize }))
        .trim({ threshold: 40 })
        .png()
        .toBuffer({ resolveWithObject: true });
      const turned = spec.angle
        ? await sharp(trimmed.data).rotate(spec.angle, { background: '#ffffff' }).png().toBuffer({ resolveWithObject: true })
        : trimmed;
      return { spec, png: turned.data, width: turned.info.width, height: turned.info.height };
    }),
  );
  const lines: PageLine[] = [];
  const composites: OverlayOptions[] = [];
  let top = margin;
  for (let i = 0; i < inks.length; i += columns) {
    const row = inks.slice(i, i + columns);
    const rowHeight = Math.max(...row.map((ink) => ink.height));
    row.forEach((ink, c) => {
      const left = margin + c * Math.floor((pageWidth - 2 * margin) / columns);
      const y = top + Math.floor((rowHeight - ink.height) / 2);
      composites.push({ input: ink.png, left, top: y });
      lines.push({
        text: ink.spec.text,
        fontSize: ink.spec.fontSize,
        angle: ink.spec.angle ?? 0,
        box: { left, top: y, width: ink.width, height: ink.height },
      });
    });
    top += rowHeight + gap;
  }
  const height = top - gap + margin;
  for (const line of lines) {
    if (line.box.left + line.box.width > pageWidth - 4) throw new Error(`line '${line.text}' is too wide for a ${pageWidth} px page`);
  }
  const png = await sharp({ create: { width: pageWidth, height, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .png()
    .toBuffer();
  return { png, width: pageWidth, height, lines };
}

/** Light noise (seeded, +-`amplitude` grey levels per pixel) and JPEG compression, as a phone photo of a print. */
export async function noisyJpeg(png: Buffer, options: { amplitude?: number; quality?: number; seed?: number } = {}): Promise<Buffer> {
  const amplitude = options.amplitude ?? 24;
  const random = seededRandom(options.seed ?? 7);
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, data[i]! + Math.round((random() * 2 - 1) * amplitude)));
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .jpeg({ quality: options.quality ?? 80 })
    .toBuffer();
}

/**
 * The quality page: several sizes (14 to 40 px letters), one line upside down, two skewed by
 * +-5 degrees; seeded phrases, so the same page every run.
 */
export function qualityPageSpecs(): LineSpec[] {
  const phrases = randomPhrases(12, 20261202);
  const sizes = [40, 32, 28, 24, 22, 20, 20, 24, 28, 16, 14, 32];
  const angles: Record<number, number> = { 3: 180, 5: 5, 7: -5 };
  return phrases.map((text, i) => ({ text, fontSize: sizes[i]!, ...(angles[i] ? { angle: angles[i] } : {}) }));
}

/** The bench's page: 20 lines of 24 px text, two to a row. */
export function twentyLineSpecs(): LineSpec[] {
  return randomPhrases(20, 42).map((text) => ({ text, fontSize: 24 }));
}

/** Levenshtein distance: the character errors of `got` against `expected`. */
export function editDistance(expected: string, got: string): number {
  let previous = Array.from({ length: got.length + 1 }, (_, j) => j);
  for (let i = 1; i <= expected.length; i++) {
    const current = [i];
    for (let j = 1; j <= got.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (expected[i - 1] === got[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[got.length]!;
}

/** Intersection over union of two axis-aligned boxes. */
export function iou(a: PageLine['box'], b: PageLine['box']): number {
  const w = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
  const h = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** The axis-aligned box around a polygon of [x, y] corners. */
export function boundsOf(polygon: readonly (readonly [number, number])[]): PageLine['box'] {
  const xs = polygon.map((p) => p[0]);
  const ys = polygon.map((p) => p[1]);
  return {
    left: Math.min(...xs),
    top: Math.min(...ys),
    width: Math.max(...xs) - Math.min(...xs),
    height: Math.max(...ys) - Math.min(...ys),
  };
}
