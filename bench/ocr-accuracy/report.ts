/**
 * The OCR bench's tables: every system's read of every page scored (score.ts), per page and added
 * up per split, as markdown (it reads as well in a terminal as in a file).
 */
import { basename } from 'node:path';
import { SPLITS, type EvalSet, type Split } from './evalSet';
import { addCounts, rates, scorePage, type Counts, type PageResult, type Rates, type ScoredLine } from './score';
import type { SystemReads } from './systems';

export interface PageScore {
  page: string;
  kind: string;
  split: Split;
  system: string;
  ms: number;
  /** The lines as the system returned them. */
  read: readonly ScoredLine[];
  result: PageResult;
}

export interface Totals extends Counts, Rates {
  system: string;
  split: Split | 'all';
  pages: number;
  /** Mean time per page, warm. */
  msPerPage: number;
}

export function scoreReads(set: EvalSet, reads: readonly SystemReads[]): PageScore[] {
  return reads.flatMap((r) =>
    set.pages.map((page) => {
      const read = r.pages.find((p) => basename(p.file) === page.file);
      if (!read) throw new Error(`${r.system} has no read of ${page.file}`);
      return {
        page: page.id,
        kind: page.kind,
        split: page.split,
        system: r.system,
        ms: read.ms,
        read: read.lines,
        result: scorePage(page.lines, read.lines),
      };
    }),
  );
}

export function totals(scores: readonly PageScore[]): Totals[] {
  const systems = [...new Set(scores.map((s) => s.system))];
  return systems.flatMap((system) =>
    [...SPLITS, 'all' as const].map((split) => {
      const mine = scores.filter((s) => s.system === system && (split === 'all' || s.split === split));
      const counts = addCounts(mine.map((s) => s.result));
      return {
        system,
        split,
        pages: mine.length,
        ...counts,
        ...rates(counts),
        msPerPage: mine.reduce((t, s) => t + s.ms, 0) / Math.max(1, mine.length),
      };
    }),
  );
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function pageTable(scores: readonly PageScore[]): string {
  const rows = [...scores]
    .sort((a, b) => a.page.localeCompare(b.page))
    .map((s) => {
      const r = rates(s.result);
      return [
        s.page,
        s.split,
        s.system,
        percent(r.cer),
        percent(r.cerNoSpaces),
        `${percent(r.linesFound)} (${s.result.found}/${s.result.lines})`,
        String(r.extra),
        s.ms.toFixed(0),
      ];
    });
  return table(['page', 'split', 'system', 'CER', 'CER without spaces', 'lines found', 'extra lines', 'ms/page'], rows);
}

export function totalsTable(all: readonly Totals[]): string {
  const rows = all.map((t) => [
    t.split,
    t.system,
    String(t.pages),
    percent(t.cer),
    percent(t.cerNoSpaces),
    `${percent(t.linesFound)} (${t.found}/${t.lines})`,
    String(t.extra),
    t.msPerPage.toFixed(0),
  ]);
  rows.sort((a, b) => SPLIT_ORDER.indexOf(a[0]!) - SPLIT_ORDER.indexOf(b[0]!));
  return table(['split', 'system', 'pages', 'CER', 'CER without spaces', 'lines found', 'extra lines', 'ms/page'], rows);
}

const SPLIT_ORDER = ['held-out', 'tuning', 'all'];

/** A system's worst pages by CER, each with its worst-read lines: where to look first. */
export function worstPages(scores: readonly PageScore[], system: string, count = 5, linesEach = 3): string {
  return scores
    .filter((s) => s.system === system)
    .sort((a, b) => rates(b.result).cer - rates(a.result).cer)
    .slice(0, count)
    .map((s) => {
      const lines = [...s.result.rows]
        .sort((a, b) => b.errors / Math.max(1, b.chars) - a.errors / Math.max(1, a.chars))
        .slice(0, linesEach)
        .map((r) => `  - truth: "${r.truth}"\n    read:  "${r.read}"`);
      const extra = s.result.extraTexts.length ? `\n  - extra: ${s.result.extraTexts.map((t) => `"${t}"`).join(', ')}` : '';
      return `- ${s.page} (${s.split}): CER ${percent(rates(s.result).cer)}\n${lines.join('\n')}${extra}`;
    })
    .join('\n');
}
