/** Number formatting shared by every brief format: fixed locale, so the same run prints the same text anywhere. */
import type { BriefTable, KeyFigure, TableCell } from './briefs';

export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** As formatNumber, but in exponent form (3 significant digits) where `digits` decimals would print a non-zero value as zero. */
export function formatReadable(value: number, digits: number): string {
  return value !== 0 && Math.abs(value) < 0.5 * 10 ** -digits ? value.toExponential(2) : formatNumber(value, digits);
}

export const formatPercent = (value: number, digits = 2): string => `${formatNumber(value * 100, digits)}%`;

export function keyFigure(label: string, value: number, unit: string, digits = 1, note?: string): KeyFigure {
  return { label, value, text: unit === '%' ? formatPercent(value, digits) : formatReadable(value, digits), unit, ...(note ? { note } : {}) };
}

/** The text of a table cell as printed (numbers with grouping and `digits` decimals). */
export function cellText(cell: TableCell, digits?: number): string {
  if (cell === null) return '—';
  return typeof cell === 'number' ? formatReadable(cell, digits ?? (Number.isInteger(cell) ? 0 : 2)) : cell;
}

/** "expectedLossStandardError" → "Expected loss standard error". */
export function humanise(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The key figures as a table: `text` for the printed formats, the raw `value` for the annex. */
export function keyFigureTable(title: string, figures: KeyFigure[], values: 'text' | 'value'): BriefTable {
  return {
    title,
    columns: [
      { label: 'Figure', numeric: false },
      { label: 'Value', numeric: true },
      { label: 'Unit', numeric: false },
      { label: 'Note', numeric: false },
    ],
    rows: figures.map((f) => [f.label, values === 'text' ? f.text : f.value, f.unit, f.note ?? '']),
  };
}

export function provenanceTable(entries: Array<{ label: string; value: string }>): BriefTable {
  return {
    title: 'Provenance',
    columns: [
      { label: 'Item', numeric: false },
      { label: 'Value', numeric: false },
    ],
    rows: entries.map((p) => [p.label, p.value]),
  };
}

/** The table without the columns that are empty in every row (e.g. names where the data has only ids). */
export function withoutEmptyColumns(table: BriefTable): BriefTable {
  const all = table.annexRows ?? table.rows;
  const keep = table.columns.map((_, j) => all.some((row) => row[j] !== '' && row[j] !== null && row[j] !== undefined));
  if (keep.every(Boolean)) return table;
  const pick = (rows: TableCell[][]) => rows.map((row) => row.filter((_, j) => keep[j]));
  return { ...table, columns: table.columns.filter((_, j) => keep[j]), rows: pick(table.rows), ...(table.annexRows ? { annexRows: pick(table.annexRows) } : {}) };
}
