/**
 * The OCR scorer: one rule for every system. Each line a system read is given to the truth line it
 * overlaps most (its box's area inside the truth line's box, when both have boxes; else the truth
 * line whose text it best fits), the pieces given to one truth line are joined in reading order,
 * and the joined text is compared with the truth (Levenshtein, fastest-levenshtein): a line read in
 * two pieces costs nothing, a line read merged with its neighbour costs the neighbour.
 *
 * - CER: character edits / truth characters, over every truth line (a missed line costs all its
 *   characters); also with every space removed from both sides, so spacing is measured apart.
 * - Lines found: truth lines whose own CER is at most 10 %.
 * - Extra lines: read lines given to no truth line (text where there is none, or a box that
 *   overlaps none); counted, not charged to CER.
 *
 * Texts are compared after NFKC (a full-width comma is a comma) with runs of white space as one space.
 */
import { distance } from 'fastest-levenshtein';

export type Point = readonly [number, number];

export interface ScoredLine {
  text: string;
  /** Corners of the line's box; for truth lines, in reading order (the first where the text starts). */
  box?: readonly Point[];
}

/** A truth line is found when its CER is at most this. */
export const FOUND_CER = 0.1;
/** A read line's box belongs to a truth line when at least this share of it lies inside the truth line's box. */
export const MIN_OVERLAP = 0.3;
/** Without boxes, a read line belongs to a truth line when at most this share of its characters differ from the best-fitting part of it. */
export const MAX_TEXT_COST = 0.5;

export interface LineResult {
  truth: string;
  /** What was read there: the pieces in reading order, joined by a space. */
  read: string;
  pieces: number;
  chars: number;
  errors: number;
  charsNoSpaces: number;
  errorsNoSpaces: number;
  found: boolean;
}

export interface Counts {
  lines: number;
  found: number;
  extra: number;
  chars: number;
  errors: number;
  charsNoSpaces: number;
  errorsNoSpaces: number;
}

export interface PageResult extends Counts {
  rows: LineResult[];
  extraTexts: string[];
}

export interface Rates {
  cer: number;
  cerNoSpaces: number;
  /** Share of truth lines found. */
  linesFound: number;
  extra: number;
}

export function normalizeText(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim();
}

const noSpaces = (text: string) => text.replace(/\s+/g, '');

/** Scores one page: `truth` as rendered, `read` as the system returned it (its order is its reading order). */
export function scorePage(truth: readonly ScoredLine[], read: readonly ScoredLine[]): PageResult {
  const lines = read.map((l) => ({ ...l, text: normalizeText(l.text) })).filter((l) => l.text !== '');
  const owners = lines.map((l) => owner(truth, l));
  const rows = truth.map((t, ti) => {
    const pieces = lines.map((l, i) => ({ l, i })).filter(({ i }) => owners[i] === ti);
    pieces.sort((a, b) => along(t, a.l, a.i) - along(t, b.l, b.i));
    const joined = pieces.map(({ l }) => l.text).join(' ');
    const expected = normalizeText(t.text);
    const errors = distance(expected, joined);
    const errorsNoSpaces = distance(noSpaces(expected), noSpaces(joined));
    return {
      truth: expected,
      read: joined,
      pieces: pieces.length,
      chars: expected.length,
      errors,
      charsNoSpaces: noSpaces(expected).length,
      errorsNoSpaces,
      found: errors <= FOUND_CER * expected.length,
    };
  });
  const extraTexts = lines.filter((_, i) => owners[i] === undefined).map((l) => l.text);
  return { ...sum(rows, extraTexts.length), rows, extraTexts };
}

function sum(rows: readonly LineResult[], extra: number): Counts {
  return {
    lines: rows.length,
    found: rows.filter((r) => r.found).length,
    extra,
    chars: rows.reduce((n, r) => n + r.chars, 0),
    errors: rows.reduce((n, r) => n + r.errors, 0),
    charsNoSpaces: rows.reduce((n, r) => n + r.charsNoSpaces, 0),
    errorsNoSpaces: rows.reduce((n, r) => n + r.errorsNoSpaces, 0),
  };
}

/** Pages added up: characters and lines summed, so a long page weighs more than a short one. */
export function addCounts(pages: readonly Counts[]): Counts {
  const total: Counts = { lines: 0, found: 0, extra: 0, chars: 0, errors: 0, charsNoSpaces: 0, errorsNoSpaces: 0 };
  for (const p of pages) for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += p[key];
  return total;
}

export function rates(counts: Counts): Rates {
  return {
    cer: counts.errors / Math.max(1, counts.chars),
    cerNoSpaces: counts.errorsNoSpaces / Math.max(1, counts.charsNoSpaces),
    linesFound: counts.found / Math.max(1, counts.lines),
    extra: counts.extra,
  };
}

/** The truth line a read line belongs to, or undefined for an extra line. */
function owner(truth: readonly ScoredLine[], line: ScoredLine): number | undefined {
  let best: number | undefined;
  let bestScore = -Infinity;
  truth.forEach((t, i) => {
    const score = t.box && line.box ? overlapShare(line.box, t.box) : -textCost(line.text, normalizeText(t.text));
    if (score > bestScore) [best, bestScore] = [i, score];
  });
  if (best === undefined) return undefined;
  const t = truth[best]!;
  return (t.box && line.box ? bestScore >= MIN_OVERLAP : -bestScore <= MAX_TEXT_COST) ? best : undefined;
}

/**
 * How badly `piece` fits somewhere inside `line`, per character of the piece: the edit distance
 * less what the length difference alone forces (zero when the piece is an exact part of the line).
 */
export function textCost(piece: string, line: string): number {
  return (distance(piece, line) - Math.max(0, line.length - piece.length)) / Math.max(1, piece.length);
}

/** Where a piece sits along its truth line's reading direction; without boxes, the system's own order. */
function along(truth: ScoredLine, piece: ScoredLine, index: number): number {
  if (!truth.box || !piece.box || truth.box.length < 2) return index;
  const [a, b] = [truth.box[0]!, truth.box[1]!];
  const c = centroid(piece.box);
  return (c[0] - a[0]) * (b[0] - a[0]) + (c[1] - a[1]) * (b[1] - a[1]);
}

/** The share of `box`'s area that lies inside `region` (both taken as their convex hulls). */
export function overlapShare(box: readonly Point[], region: readonly Point[]): number {
  const subject = convex(box);
  const area = polygonArea(subject);
  if (area <= 0) return 0;
  return polygonArea(clip(subject, convex(region))) / area;
}

function centroid(points: readonly Point[]): Point {
  return [points.reduce((s, p) => s + p[0], 0) / points.length, points.reduce((s, p) => s + p[1], 0) / points.length];
}

/** The points in order around their centre, counter-clockwise (in x-right, y-up terms): a convex box's outline, whatever order its corners came in. */
function convex(points: readonly Point[]): Point[] {
  const [cx, cy] = centroid(points);
  return [...points].sort((p, q) => Math.atan2(p[1] - cy, p[0] - cx) - Math.atan2(q[1] - cy, q[0] - cx));
}

function polygonArea(points: readonly Point[]): number {
  let twice = 0;
  for (let i = 0; i < points.length; i++) {
    const [p, q] = [points[i]!, points[(i + 1) % points.length]!];
    twice += p[0] * q[1] - q[0] * p[1];
  }
  return Math.abs(twice) / 2;
}

/** Sutherland-Hodgman: `subject` cut to the inside of the convex `region` (both ordered by `convex`). */
function clip(subject: readonly Point[], region: readonly Point[]): Point[] {
  let out = [...subject];
  for (let i = 0; i < region.length && out.length > 0; i++) {
    const [a, b] = [region[i]!, region[(i + 1) % region.length]!];
    const inside = (p: Point) => (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]) >= 0;
    const cross = (p: Point, q: Point): Point => {
      const [dx, dy] = [q[0] - p[0], q[1] - p[1]];
      const [ex, ey] = [b[0] - a[0], b[1] - a[1]];
      const t = (ex * (p[1] - a[1]) - ey * (p[0] - a[0])) / (ey * dx - ex * dy);
      return [p[0] + t * dx, p[1] + t * dy];
    };
    const input = out;
    out = [];
    for (let j = 0; j < input.length; j++) {
      const [p, q] = [input[j]!, input[(j + 1) % input.length]!];
      if (inside(q)) {
        if (!inside(p)) out.push(cross(p, q));
        out.push(q);
      } else if (inside(p)) out.push(cross(p, q));
    }
  }
  return out;
}
