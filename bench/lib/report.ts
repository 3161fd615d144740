import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import type { Row, Side } from './rows';

export interface Machine {
  nproc: number;
  cpu: string;
  ramGiB: number;
  node: string;
  platform: string;
  loadAverage: number[];
}

export function machine(): Machine {
  let cpu = 'unknown';
  try {
    cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux
  }
  return {
    nproc: availableParallelism(),
    cpu,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function num(x: number): string {
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function cell(s: Side): string {
  return `${num(s.summary.median)} (${num(s.summary.min)}-${num(s.summary.max)})`;
}

function verdict(r: Row): string {
  if (r.met === undefined) return '-';
  return r.met ? 'met' : 'NOT met';
}

const HEADER = [
  'scenario',
  'model',
  'metric',
  'candidate',
  'baseline',
  'candidate median (min-max)',
  'baseline median (min-max)',
  'ratio',
  'diff',
  'target',
  'result',
];

function cells(r: Row): string[] {
  return [
    r.scenario,
    r.model,
    `${r.metric} [${r.unit}]`,
    r.candidate.name,
    r.baseline.name,
    cell(r.candidate),
    cell(r.baseline),
    r.ratio.toFixed(3),
    `${r.difference >= 0 ? '+' : ''}${num(r.difference)} ${r.unit}`,
    r.target,
    verdict(r),
  ];
}

export function markdownTable(rows: readonly Row[]): string {
  const lines = [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${cells(r).join(' | ')} |`);
  return lines.join('\n');
}

/** A plain table for the terminal, columns padded. */
export function textTable(rows: readonly Row[]): string {
  const all = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}
