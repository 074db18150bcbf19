/**
 * The text of a value from a spreadsheet, Parquet or XML reader that has no text of its own: numbers, big integers,
 * booleans, dates, lists and bytes as String() writes them, and records (a Parquet struct, an Excel error cell, an
 * XML element with children) as JSON with big integers as digits, where String() gave "[object Object]".
 */
export function readerValueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date || value instanceof Uint8Array || Array.isArray(value)) return String(value);
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
}

/** A holdings cell of any reader as text: dates as YYYY-MM-DD, formulas by their result, rich text joined. */
export function holdingsCellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const cell = value as { result?: unknown; text?: unknown; richText?: Array<{ text: string }> };
    if (cell.richText) return cell.richText.map((part) => part.text).join('');
    if ('result' in cell) return holdingsCellText(cell.result);
    if ('text' in cell) return holdingsCellText(cell.text);
  }
  return readerValueText(value);
}
