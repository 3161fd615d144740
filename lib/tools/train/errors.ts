import { NamedError } from '../../core/errors';
/**
 * Errors raised while configuring or running training. Training runs in the CLI, not on the
 * request path, so these carry no HTTP status; their messages name the setting or the place in
 * the input that caused them and what to change.
 */
export class TrainingError extends NamedError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
  }
}

/** An option that cannot work: unknown optimizer, non-positive learning rate, layer widths that do not fit the data. */
export class TrainingConfigError extends TrainingError {
  readonly setting: string;
  constructor(setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.setting = setting;
  }
}

/** A CSV file that cannot be read as numbers: carries the file, the 1-based line and the column. */
export class CsvFormatError extends TrainingError {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: string | undefined;
  constructor(file: string, message: string, place: { line?: number; column?: string } = {}) {
    const where = [place.line === undefined ? '' : `line ${place.line}`, place.column === undefined ? '' : `column '${place.column}'`]
      .filter(Boolean)
      .join(', ');
    super(`${file}${where ? ` (${where})` : ''}: ${message}`);
    this.file = file;
    this.line = place.line;
    this.column = place.column;
  }
}
