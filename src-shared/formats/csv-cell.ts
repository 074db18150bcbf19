/**
 * The one way the product writes a CSV cell (and a text cell of a spreadsheet it exports): formula injection
 * neutralised, quoted per RFC 4180. A spreadsheet program opening the file must not run `=HYPERLINK(…)`,
 * `+cmd|' /C calc'!A0` or `@SUM(A1)` from a bank's name, so text that starts with =, +, -, @, a tab or a carriage
 * return gets a leading apostrophe ('=HYPERLINK(…)). Numbers, and text that is a plain decimal number ("-1.5",
 * "1e-3"), stay as they are. Text that already starts with an apostrophe followed by one of those characters (or
 * another apostrophe) gets one more, so `unescapeCsvText` — what the importers apply to every cell they read —
 * gives back exactly the text that was exported. docs/data-protection/files.md.
 */

/**
 * A number as plain decimal text with the same digits JavaScript prints (so `Number(text) === value`):
 * 1e-7 → "0.0000001", 1e21 → "1000000000000000000000".
 */
export function plainDecimal(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, lead, fraction = '', exponentText] = match;
  const digits = `${lead}${fraction}`;
  const exponent = Number(exponentText);
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const point = 1 + exponent;
  return point >= digits.length
    ? `${sign}${digits}${'0'.repeat(point - digits.length)}`
    : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Plain or scientific decimal notation with "." as the decimal point. */
export const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Characters that make a spreadsheet read a cell as a formula (or that hide one behind them). */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

const isEscapedForm = (text: string): boolean =>
  text.length > 1 && text[0] === "'" && (FORMULA_START.has(text[1]!) || text[1] === "'");

/** Text safe to put in a spreadsheet cell: a leading apostrophe where the text could start a formula. */
export function neutraliseFormula(text: string): string {
  if (text === '' || NUMBER_TEXT.test(text)) return text;
  return FORMULA_START.has(text[0]!) || isEscapedForm(text) ? `'${text}` : text;
}

/** The inverse of `neutraliseFormula`: what an importer applies to cell text read from a file. */
export function unescapeCsvText(text: string): string {
  return isEscapedForm(text) ? text.slice(1) : text;
}

export type CsvValue = string | number | boolean | null | undefined;

/** A spreadsheet (XLSX) cell: text neutralised as in a CSV, numbers and booleans as they are, absent as blank. */
export const xlsxCell = <T extends CsvValue>(value: T): Exclude<T, undefined> | string | null =>
  value === undefined || value === null
    ? null
    : typeof value === 'string'
      ? neutraliseFormula(value)
      : (value as Exclude<T, undefined>);

/**
 * One CSV field: null/undefined → empty; a number as plain decimal text; text neutralised, then quoted when it
 * holds a comma, a quote or a line break, or starts or ends with a space (RFC 4180: quotes doubled).
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? plainDecimal(value) : '';
  const text = neutraliseFormula(String(value));
  return /[",\r\n]|^ | $/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record: the fields joined by commas (no line end). */
export const csvRow = (values: readonly CsvValue[]): string => values.map(csvCell).join(',');

/** A whole CSV: header and records, CRLF line ends (RFC 4180), ending in a line break. */
export const csvText = (rows: ReadonlyArray<readonly CsvValue[]>, newline = '\r\n'): string =>
  rows.map(csvRow).join(newline) + newline;
