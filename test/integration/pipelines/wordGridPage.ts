import sharp from 'sharp';
import { seededRandom } from './renderText';

export interface WordGridPage {
  png: Buffer;
  width: number;
  height: number;
  /** The words row by row, left to right: the page's reading order. */
  words: string[];
  columns: number;
  /** Top of each row's cell, in page pixels. */
  rowTop: (row: number) => number;
  rowHeight: number;
}

/**
 * A page of many small boxes, the kind that made one OCR request cost 9-22 s (issue 27): a grid of
 * short seeded nonsense words (3-5 lower-case letters) in small DejaVu Sans, far enough apart that
 * each is its own text box. The defaults give 400 words at 11 px on 936 x 640: 400 boxes, about
 * 30,000 px of recogniser input.
 */
export async function renderWordGrid(
  options: { columns?: number; rows?: number; fontSize?: number; cellWidth?: number; cellHeight?: number; seed?: number } = {},
): Promise<WordGridPage> {
  const columns = options.columns ?? 16;
  const rows = options.rows ?? 25;
  const fontSize = options.fontSize ?? 11;
  const cellWidth = options.cellWidth ?? 56;
  const rowHeight = options.cellHeight ?? 24;
  const margin = 20;
  const random = seededRandom(options.seed ?? 2027);
  // No l, q: too alike to i, g at 11 px for the words to say which is which.
  const letters = 'abcdefghijkmnoprstuvwxyz';
  const words = Array.from({ length: columns * rows }, () =>
    Array.from({ length: 3 + Math.floor(random() * 3) }, () => letters[Math.floor(random() * letters.length)]).join(''),
  );
  const rowTop = (row: number) => margin + row * rowHeight;
  const width = columns * cellWidth + 2 * margin;
  const height = rows * rowHeight + 2 * margin;
  const texts = words.map((word, i) => {
    const x = margin + (i % columns) * cellWidth;
    const y = rowTop(Math.floor(i / columns)) + fontSize;
    return `<text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="${fontSize}">${word}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${texts.join('')}</svg>`;
  const png = await sharp(Buffer.from(svg)).png().toBuffer();
  return { png, width, height, words, columns, rowTop, rowHeight };
}
