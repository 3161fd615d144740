import type { OcrResult } from '../../../lib/core/builtins/ocr';
import { boundsOf, editDistance, iou, type PageLine } from './ocrPage';

export interface OcrQuality {
  /** Lines whose box a detected line overlaps at IoU >= 0.5, of all rendered lines. */
  found: number;
  lines: number;
  /** Character error rate (edit distance / characters) over lines at least `minHeight` px high, missed lines counted whole. */
  cer: number;
  /** Each rendered line with what was read at its place. */
  rows: { expected: string; got: string | undefined; fontSize: number; angle: number; iou: number; errors: number }[];
}

/**
 * How well a page was read: each rendered line is matched to the detected line whose box overlaps
 * it most (axis-aligned IoU of the polygon's bounds against the ink's); box recall counts matches
 * at IoU >= 0.5, and CER compares the matched text with the rendered text, spaces included.
 */
export function measureOcr(truth: readonly PageLine[], result: OcrResult, minHeight = 20): OcrQuality {
  const rows = truth.map((line) => {
    const best = result.lines
      .map((l) => ({ text: l.text, overlap: iou(line.box, boundsOf(l.box)) }))
      .sort((a, b) => b.overlap - a.overlap)[0];
    const matched = best !== undefined && best.overlap >= 0.5 ? best : undefined;
    return {
      expected: line.text,
      got: matched?.text,
      fontSize: line.fontSize,
      angle: line.angle,
      iou: Number((best?.overlap ?? 0).toFixed(2)),
      errors: matched ? editDistance(line.text, matched.text) : line.text.length,
    };
  });
  const measured = rows.filter((r) => r.fontSize >= minHeight);
  const characters = measured.reduce((n, r) => n + r.expected.length, 0);
  const errors = measured.reduce((n, r) => n + r.errors, 0);
  return { found: rows.filter((r) => r.got !== undefined).length, lines: rows.length, cer: errors / characters, rows };
}
