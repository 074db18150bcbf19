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
