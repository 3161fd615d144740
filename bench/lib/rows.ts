import { summarize, type Summary } from './stats';

export interface Side {
  name: string;
  samples: number[];
  summary: Summary;
}

/** One line of the results table: a candidate against its baseline on one metric. */
export interface Row {
  scenario: string;
  model: string;
  metric: string;
  unit: string;
  candidate: Side;
  baseline: Side;
  /** candidate median / baseline median. */
  ratio: number;
  /** candidate median - baseline median, in `unit`. */
  difference: number;
  target: string;
  /** undefined: reported, no target. */
  met?: boolean;
  note?: string;
  details?: Record<string, unknown>;
}

export function side(name: string, samples: number[]): Side {
  return { name, samples, summary: summarize(samples) };
}

export function row(fields: Omit<Row, 'ratio' | 'difference' | 'met' | 'target'> & { target?: string; check?: (r: Row) => boolean }): Row {
  const { check, ...rest } = fields;
  const r: Row = {
    ...rest,
    target: fields.target ?? '-',
    ratio: fields.candidate.summary.median / fields.baseline.summary.median,
    difference: fields.candidate.summary.median - fields.baseline.summary.median,
  };
  if (check) r.met = check(r);
  return r;
}

export type Log = (message: string) => void;
