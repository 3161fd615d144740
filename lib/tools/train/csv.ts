import { readFile } from 'node:fs/promises';
import type { Dataset } from './data';
import { CsvFormatError } from './errors';

export interface CsvColumns {
  /** Target column names. When absent, the last `defaultTargetCount` columns are the targets. */
  readonly targetColumns?: readonly string[];
  readonly defaultTargetCount: number;
}

export interface CsvDataset extends Dataset {
  readonly featureNames: readonly string[];
  readonly targetNames: readonly string[];
}

/**
 * Reads a numeric CSV: a header row naming the columns, then one sample per line. Every column
 * that is not a target is a feature. Plain comma-separated fields (optionally in double quotes,
 * no embedded commas); blank lines are skipped. Errors name the file, line and column.
 */
export async function loadCsvDataset(path: string, columns: CsvColumns): Promise<CsvDataset> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CsvFormatError(path, `cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseCsvDataset(text, path, columns);
}

export function parseCsvDataset(text: string, file: string, columns: CsvColumns): CsvDataset {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0) throw new CsvFormatError(file, 'the file is empty; expected a header row naming the columns');
  const header = splitFields(lines[headerIndex]!);
  const targetIndexes = chooseTargets(file, header, columns);
  const featureIndexes = header.map((_, c) => c).filter((c) => !targetIndexes.includes(c));
  if (featureIndexes.length === 0)
    throw new CsvFormatError(file, 'every column is a target; at least one feature column is needed', { line: headerIndex + 1 });

  const rows: number[][] = [];
  for (let l = headerIndex + 1; l < lines.length; l++) {
    if (lines[l]!.trim() === '') continue;
    const fields = splitFields(lines[l]!);
    if (fields.length !== header.length) {
      throw new CsvFormatError(file, `expected ${header.length} fields as in the header, found ${fields.length}`, { line: l + 1 });
    }
    rows.push(fields.map((field, c) => parseNumber(file, field, l + 1, header[c]!)));
  }
  if (rows.length === 0) throw new CsvFormatError(file, 'no data rows after the header');

  const features = new Float32Array(rows.length * featureIndexes.length);
  const targets = new Float32Array(rows.length * targetIndexes.length);
  rows.forEach((row, r) => {
    featureIndexes.forEach((c, i) => (features[r * featureIndexes.length + i] = row[c]!));
    targetIndexes.forEach((c, o) => (targets[r * targetIndexes.length + o] = row[c]!));
  });
  return {
    count: rows.length,
    featureCount: featureIndexes.length,
    targetCount: targetIndexes.length,
    features,
    targets,
    featureNames: featureIndexes.map((c) => header[c]!),
    targetNames: targetIndexes.map((c) => header[c]!),
  };
}

function chooseTargets(file: string, header: string[], columns: CsvColumns): number[] {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) throw new CsvFormatError(file, `the header names column '${name}' twice`, { line: 1, column: name });
    seen.add(name);
  }
  if (columns.targetColumns === undefined) {
    if (columns.defaultTargetCount >= header.length) {
      throw new CsvFormatError(
        file,
        `the model has ${columns.defaultTargetCount} outputs, so the last ${columns.defaultTargetCount} columns would be targets, but the file has only ${header.length} columns; name the targets or change the last layer width`,
      );
    }
    return header.map((_, c) => c).slice(header.length - columns.defaultTargetCount);
  }
  return columns.targetColumns.map((name) => {
    const index = header.indexOf(name);
    if (index < 0) throw new CsvFormatError(file, `no target column '${name}'; columns: ${header.join(', ')}`);
    return index;
  });
}

function splitFields(line: string): string[] {
  return line.split(',').map((field) => field.trim().replace(/^"(.*)"$/, '$1'));
}

function parseNumber(file: string, field: string, line: number, column: string): number {
  // Number('') is 0 and Number('0x1f') is 31: accept decimal and exponent notation only.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(field)) {
    throw new CsvFormatError(file, `'${field}' is not a number`, { line, column });
  }
  return Number(field);
}
