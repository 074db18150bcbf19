/**
 * Row-level import errors. A tabular file (CSV, XLSX sheet) is refused whole when any row breaks a rule; the
 * error lists every offending row as a spreadsheet user sees it (header = row 1, first data row = row 2).
 */
import { ImportError, quote } from './import-error';

export interface RowError {
  /** File (or "file › sheet") the row came from. */
  file: string;
  /** 1-based row as a spreadsheet user sees it: the header is row 1, the first data row is row 2. */
  row: number;
  /** Source column name, when the error is about one cell. */
  column?: string;
  message: string;
}

/** How many row errors the message spells out at most (fewer when they would not fit in one line). */
export const ROW_ERRORS_LISTED = 10;

/** Room for the listed errors within the 300-character line. */
const LIST_CHARS = 230;

export function describeRowError(error: RowError): string {
  return `row ${error.row}${error.column ? `, column ${quote(error.column, 40)}` : ''}: ${error.message}`;
}

/**
 * One line: the file, how many rows were refused, then as many row errors as fit (at least the first), then how
 * many more. `FILE: 3 rows refused: row 2, column "amount": not a number — "abc"; row 5: …; … and 1 more`.
 */
export function describeRowErrors(rowErrors: readonly RowError[]): string {
  const rows = new Set(rowErrors.map((error) => `${error.file}\u0000${error.row}`)).size;
  const files = [...new Set(rowErrors.map((error) => error.file))];
  const listed: string[] = [];
  let length = 0;
  for (const error of rowErrors.slice(0, ROW_ERRORS_LISTED)) {
    const text = files.length > 1 ? `${error.file} ${describeRowError(error)}` : describeRowError(error);
    if (listed.length > 0 && length + text.length > LIST_CHARS) break;
    listed.push(text);
    length += text.length + 2;
  }
  const rest = rowErrors.length - listed.length;
  const more = rest > 0 ? `; … and ${rest} more` : '';
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
