/**
 * The OCR evaluation set as committed: photo-like JPEG pages and manifest.json, the text of every
 * line as the browser rendered it and where it lies in the photo. Made by generate.ts; read by the
 * ocr-accuracy bench scenario and by tests, which so never depend on the fonts of the machine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Quad } from './photo';

export const PAGES_DIR = fileURLToPath(new URL('./pages/', import.meta.url));

export const SPLITS = ['tuning', 'held-out'] as const;
export type Split = (typeof SPLITS)[number];

/** The fixed split: every third page (index 2, 5, 8, ...) is held out, so each layout has one held-out page in three. */
export function splitOf(index: number): Split {
  return index % 3 === 2 ? 'held-out' : 'tuning';
}

export interface EvalLine {
  text: string;
  /** The line's box in the photo, corners in reading order: the first is where the text starts (top-left of upright text). */
  box: Quad;
  /** CSS pixels on the paper, before the photo's perspective. */
  fontSize: number;
  upsideDown?: boolean;
}

export interface EvalPage {
  id: string;
  file: string;
  split: Split;
  kind: string;
  font: string;
  tiltDeg: number;
  width: number;
  height: number;
  lines: EvalLine[];
}

export interface EvalSet {
  /** How the set was made and split, in words. */
  about: string;
  seed: number;
  pages: EvalPage[];
}

export function loadEvalSet(dir = PAGES_DIR): EvalSet {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as EvalSet;
}

export function pagePath(page: EvalPage, dir = PAGES_DIR): string {
  return join(dir, page.file);
}
