/**
 * Reads tabular files into plain tables of cell text: a CSV (papaparse; UTF-8 with the BOM stripped, or
 * windows-1252 when the bytes are not valid UTF-8) gives one table, an XLSX workbook (exceljs) one table per
 * worksheet (an exported workbook's "Classification" sheet left out). The first row is the header (in a CSV, after
 * any "# …" comment lines such as the classification marking exports start with); numbers come back as plain
 * decimal text ("0.0000001", not "1e-7"), dates as ISO text, formulas as their cached result, text the product
 * neutralised against formula injection ('=…) as it was exported (csv-cell.ts). Every row keeps the row number a
 * spreadsheet user sees (header = row 1, or the line after the comments), so importers can name the rows they refuse.
 */
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { NUMBER_TEXT, plainDecimal, unescapeCsvText } from '../../src-shared/formats/csv-cell';
import { MARKING_SHEET, isCsvCommentLine } from '../../src-shared/formats/export-marking';

export { plainDecimal };
import { ImportError } from './import-error';
import { checkFileSize, checkLineLengths, checkXlsxArchive, firstLine, unreadableXlsx } from './import-limits';
import { suggestMapping, type ColumnMapping } from './column-mapping';
import { RowErrorsImportError, type RowError } from './row-errors';
import { isParquetName, readParquetTable } from './parquet-table';
import type { Table } from './table';

export type { Table } from './table';

export interface TablePreview extends Table {
  /** Data rows in the whole table (the preview holds at most the first 20). */
  rowCount: number;
  /** Columns matched to node and liability fields by name. */
  mapping: ColumnMapping;
}

export const PREVIEW_ROWS = 20;

export const isXlsxName = (fileName: string) => /\.(xlsx|xlsm)$/i.test(fileName);
export const isCsvName = (fileName: string) => /\.(csv|tsv|txt)$/i.test(fileName);

/** The spreadsheet row number of `table.rows[index]`. */
export const rowNumberOf = (table: Table, index: number): number => table.rowNumbers?.[index] ?? index + 2;

/** The label of a table in error messages. */
export const sourceOf = (table: Table): string => table.source ?? table.name;

/** True when every cell of the row is blank. */
export const isBlankRow = (row: readonly string[]): boolean => row.every((cell) => cell.trim() === '');

/** UTF-8 (BOM stripped) when the bytes are valid UTF-8, else windows-1252 (what Excel writes on Windows). */
export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Cell text → number: blank → null; plain or scientific decimal notation with "." as the decimal point;
 * anything else (thousands separators, "n/a", "Infinity") → NaN.
 */
export function parseNumberCell(text: string | undefined): number | null {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return null;
  if (!NUMBER_TEXT.test(trimmed)) return Number.NaN;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : Number.NaN;
}

/**
 * The delimiter of a CSV, judged from its header line (cell text in the body may contain anything): the most
 * frequent of comma, semicolon, tab and bar there; comma when none occurs.
 */
export function guessDelimiter(text: string): string {
  const end = text.search(/\r?\n/);
  const header = end < 0 ? text : text.slice(0, end);
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', ';', '\t', '|']) {
    const count = header.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/**
 * The comment lines before the header ("# CONFIDENTIAL — supervisory use · …", the marking exports start with,
 * export-marking.ts) taken off: the text from the header on, and how many lines were taken.
 */
function withoutLeadingComments(text: string): { text: string; skipped: number } {
  let start = 0;
  let skipped = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    const line = end < 0 ? text.slice(start) : text.slice(start, end);
    if (!isCsvCommentLine(line)) break;
    skipped += 1;
    if (end < 0) return { text: '', skipped };
    start = end + 1;
  }
  return { text: text.slice(start), skipped };
}

/**
 * Parses CSV text (line ends \r\n, \n or \r, even mixed, are all one line break, in quoted cells too). Comment
 * lines before the header ("# …") are skipped; row numbers still count them, as a text editor shows the lines.
 */
export function parseCsv(fileName: string, rawText: string): Table {
  const { text, skipped } = withoutLeadingComments(rawText.replace(/\r\n?/g, '\n'));
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false, delimiter: guessDelimiter(text), newline: '\n' });
  const errors: RowError[] = parsed.errors
    .filter((error) => error.code !== 'UndetectableDelimiter')
    .map((error) => ({ file: fileName, row: (error.row ?? 0) + 1 + skipped, message: `CSV: ${error.message}` }));
  if (errors.length > 0) throw new RowErrorsImportError(errors);
  const records = parsed.data;
  while (records.length > 0 && isBlankRow(records[records.length - 1]!)) records.pop();
  const [header, ...body] = records;
  if (!header || isBlankRow(header)) throw new ImportError(`${fileName} is empty (expected a header row)`);
  const columns = header.map((cell) => unescapeCsvText(cell).trim());
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  body.forEach((row, index) => {
    if (isBlankRow(row)) return;
    rows.push(row.map(unescapeCsvText));
    rowNumbers.push(index + 2 + skipped);
  });
  return { name: fileName, columns, rows, rowNumbers, source: fileName };
}

function isoDate(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** The text a spreadsheet user sees in a cell (formulas give their cached result). */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return plainDecimal(value);
  if (typeof value === 'string') return unescapeCsvText(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return isoDate(value);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('error' in value) return value.error;
  if ('formula' in value || 'sharedFormula' in value) {
    return value.result === undefined ? '' : cellText(value.result);
  }
  if ('hyperlink' in value) return typeof value.text === 'string' ? value.text : cellText(value.text);
  return String(value);
}

function worksheetTable(fileName: string, sheet: ExcelJS.Worksheet): Table | undefined {
  let columns: string[] | undefined;
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = row.values as ExcelJS.CellValue[];
    const width = Math.max(values.length - 1, columns?.length ?? 0);
    const cells: string[] = [];
    for (let column = 1; column <= width; column += 1) cells.push(cellText(values[column]));
    if (isBlankRow(cells)) return;
    if (!columns) {
      columns = cells.map((cell) => cell.trim());
      return;
    }
    rows.push(cells);
    rowNumbers.push(row.number);
  });
  if (!columns) return undefined;
  const width = columns.length;
  for (const row of rows) while (row.length < width) row.push('');
  return { name: sheet.name, columns, rows, rowNumbers, source: `${fileName} [${sheet.name}]` };
}

export async function readXlsx(fileName: string, bytes: Uint8Array): Promise<Table[]> {
  await checkXlsxArchive(fileName, { bytes });
  const workbook = new ExcelJS.Workbook();
  let tables: Table[];
  try {
    await workbook.xlsx.load(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer,
    );
    tables = workbook.worksheets
      .filter((sheet) => sheet.state === undefined || sheet.state === 'visible')
      .map((sheet) => worksheetTable(fileName, sheet))
      .filter((table): table is Table => table !== undefined);
    // The "Classification" sheet an exported workbook starts with holds its marking, not data.
    const data = tables.filter((table) => table.name.trim().toLowerCase() !== MARKING_SHEET.toLowerCase());
    if (data.length > 0) tables = data;
  } catch (error) {
    if (error instanceof ImportError) throw error;
    throw unreadableXlsx(fileName, firstLine((error as Error).message));
  }
  if (tables.length === 0) throw new ImportError(`${fileName} has no worksheet with a header row`);
  return tables;
}

/** One table per CSV or Parquet file, one per non-empty visible worksheet of an XLSX workbook. */
export async function readTables(fileName: string, bytes: Uint8Array): Promise<Table[]> {
  checkFileSize(fileName, bytes.byteLength);
  if (isXlsxName(fileName)) return readXlsx(fileName, bytes);
  if (isCsvName(fileName)) return [parseCsv(fileName, checkLineLengths(fileName, decodeText(bytes)))];
  if (isParquetName(fileName)) return [(await readParquetTable(fileName, bytes)).table];
  throw new ImportError(`${fileName}: unsupported table file (expected .csv, .xlsx or .parquet)`);
}

/** The first 20 rows of each table with the suggested column mapping, for the import dialog. */
export async function previewTables(
  fileName: string,
  bytes: Uint8Array,
  limit = PREVIEW_ROWS,
): Promise<TablePreview[]> {
  // A Parquet file is read only as far as the preview shows; its row count is in its metadata.
  let tables: Array<{ table: Table; rowCount: number }>;
  if (isParquetName(fileName)) {
    checkFileSize(fileName, bytes.byteLength);
    tables = [await readParquetTable(fileName, bytes, limit)];
  } else {
    tables = (await readTables(fileName, bytes)).map((table) => ({ table, rowCount: table.rows.length }));
  }
  return tables.map(({ table, rowCount }) => ({
    ...table,
    rows: table.rows.slice(0, limit),
    rowNumbers: table.rowNumbers?.slice(0, limit),
    rowCount,
    mapping: suggestMapping(table.columns),
  }));
}
