/**
 * Row-level import errors. A tabular file (CSV, XLSX sheet) is refused whole when any row breaks a rule; the
 * error lists every offending row as a spreadsheet user sees it (header = row 1, first data row = row 2).
 */
import { ImportError } from './import-error';

export interface RowError {
  /** File (or "file › sheet") the row came from. */
  file: string;
  /** 1-based row as a spreadsheet user sees it: the header is row 1, the first data row is row 2. */
  row: number;
  /** Source column name, when the error is about one cell. */
  column?: string;
  message: string;
}

/** How many row errors the message spells out; the rest are counted. */
export const ROW_ERRORS_LISTED = 10;

export function describeRowError(error: RowError): string {
  return `row ${error.row}${error.column ? ` (${error.column})` : ''}: ${error.message}`;
}

export function describeRowErrors(rowErrors: readonly RowError[]): string {
  const rows = new Set(rowErrors.map((error) => `${error.file}\u0000${error.row}`)).size;
  const files = [...new Set(rowErrors.map((error) => error.file))];
  const listed = rowErrors.slice(0, ROW_ERRORS_LISTED).map((error) =>
    files.length > 1 ? `${error.file} ${describeRowError(error)}` : describeRowError(error),
  );
  const more = rowErrors.length > ROW_ERRORS_LISTED ? `; … and ${rowErrors.length - ROW_ERRORS_LISTED} more` : '';
  const where = files.length === 1 ? `${files[0]}: ` : '';
  return `${where}${rows} row${rows === 1 ? '' : 's'} refused: ${listed.join('; ')}${more}`;
}

/** A tabular import refused because of the rows listed in `rowErrors` (all of them, not only the first ten). */
export class RowErrorsImportError extends ImportError {
  readonly rowErrors: RowError[];

  constructor(rowErrors: RowError[], prefix?: string) {
    const message = describeRowErrors(rowErrors);
    super(prefix ? `${prefix}: ${message}` : message);
    this.name = 'RowErrorsImportError';
    this.rowErrors = rowErrors;
  }
}
