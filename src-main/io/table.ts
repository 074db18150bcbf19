/** A table read from a file (CSV, a worksheet, Parquet) as cell text, for the network importers (tables.ts). */
export interface Table {
  /** File name (CSV) or worksheet name (XLSX). */
  name: string;
  columns: string[];
  /** Cell text per data row; numbers as plain decimal text. */
  rows: string[][];
  /** Spreadsheet row number of each entry of `rows` (header = 1); when absent, rows are 2, 3, 4, … */
  rowNumbers?: number[];
  /** How to name this table in error messages ("book.xlsx [nodes]"); defaults to `name`. */
  source?: string;
  /** The file's key-value metadata (Parquet): an exported network's name, currency and unit. */
  properties?: Record<string, string>;
}
