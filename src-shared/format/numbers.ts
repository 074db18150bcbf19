/**
 * One way to show numbers, everywhere a user reads them (screens, tables, exports' captions):
 *   - amounts with their unit and thousands separators, digits chosen for the figure's size;
 *   - probabilities and shares as percent;
 *   - counts as integers;
 *   - one notation per column (`columnFormatter`): the digits are chosen once, from the column's largest value,
 *     so "0.00141" and "2.78e-4" never sit in the same column.
 * Locale: en-US grouping ("1,234.5") so figures read the same on every machine and in briefs.
 */

const LOCALE = 'en-US';

const fixed = (value: number, digits: number) =>
  value.toLocaleString(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Decimals that give about `significant` significant digits for a figure of this size (never negative). */
export function decimalsFor(magnitude: number, significant = 3): number {
  const size = Math.abs(magnitude);
  if (!Number.isFinite(size) || size === 0) return 0;
  return Math.max(0, Math.min(10, significant - 1 - Math.floor(Math.log10(size))));
}

/**
 * A plain figure: thousands separators, `significant` significant digits below 1,000 and whole units above
 * (1,711,231 rather than 1711231.024990491). Non-finite values read as "—".
 */
export function formatNumber(value: number | null | undefined, significant = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value !== 0 && Math.abs(value) < 1e-4) return scientific(value, significant);
  return fixed(value, decimalsFor(value, significant));
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻',
  '+': '',
  0: '⁰',
  1: '¹',
  2: '²',
  3: '³',
  4: '⁴',
  5: '⁵',
  6: '⁶',
  7: '⁷',
  8: '⁸',
  9: '⁹',
};

/** A power of ten as a person writes it: "10⁻⁸". */
export const tenToThe = (power: number): string =>
  `10${[...String(power)].map((ch) => SUPERSCRIPT[ch] ?? ch).join('')}`;

/** A tiny figure as a person writes it: "7.88 × 10⁻⁸" (never "7.88e-8"). */
export function scientific(value: number, significant = 3): string {
  const [mantissa, exponent] = value.toExponential(Math.max(0, significant - 1)).split('e');
  return `${mantissa} × 10${[...exponent!].map((ch) => SUPERSCRIPT[ch] ?? ch).join('')}`;
}

/** A count: an integer with separators ("1,024"), never "1.00". */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString(LOCALE);
}

/** An amount with its unit after it: "1,711,231 EUR million", "12.5 EUR million". */
export function formatAmount(value: number | null | undefined, unit: string, significant = 3): string {
  const figure = formatNumber(value, significant);
  return figure === '—' || !unit ? figure : `${figure} ${unit}`;
}

/**
 * A probability or share (0–1) as percent: "96.7 %", "0.14 %", "< 0.01 %" for tiny positive values.
 * `digits` fixes the decimals (for a column); otherwise they follow the size.
 */
export function formatPercent(fraction: number | null | undefined, digits?: number): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const percent = fraction * 100;
  const decimals = digits ?? (percent === 0 || Math.abs(percent) >= 10 ? 1 : Math.min(2, decimalsFor(percent, 2)));
  if (percent !== 0 && Math.abs(percent) < 10 ** -decimals) return `< ${fixed(10 ** -decimals, decimals)} %`;
  return `${fixed(percent, decimals)} %`;
}

/** "96.7 % ± 0.40 %": a probability with its standard error (or interval half-width), both as percent. */
export function formatPercentWithError(fraction: number, error: number): string {
  const digits = Math.max(1, Math.min(3, decimalsFor(error * 100, 2)));
  return `${formatPercent(fraction, digits)} ± ${formatPercent(error, digits)}`;
}

/** "1,204.5 ± 3.2 EUR million": a figure with its error, both with the error's decimals. */
export function formatWithError(value: number, error: number, unit = ''): string {
  const digits = decimalsFor(error, 2);
  const text = `${fixed(value, digits)} ± ${fixed(error, digits)}`;
  return unit ? `${text} ${unit}` : text;
}

/** A duration in seconds as a person says it: "0.42 s", "33 s", "2 min 05 s", "1 h 04 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 10) return `${fixed(seconds, seconds < 1 ? 2 : 1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

export type ColumnKind = 'number' | 'count' | 'percent' | 'text';

/**
 * One notation for a whole column: the decimals are chosen once from the column's largest absolute value (so
 * every cell has the same number of decimals), percent columns likewise. A column whose largest value is below
 * 10⁻⁴ is written with that value's power of ten in every cell ("7.88 × 10⁻⁸", "0.56 × 10⁻⁸", "0"), not with
 * eight zeros after the point.
 */
export function columnFormatter(
  values: ReadonlyArray<number | null | undefined>,
  kind: ColumnKind,
  significant = 3,
): (value: number | null | undefined) => string {
  if (kind === 'count') return formatCount;
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v !== 0);
  const largest = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (kind === 'percent') {
    const digits = Math.max(1, Math.min(3, decimalsFor(largest * 100, significant)));
    return (value) => formatPercent(value, digits);
  }
  if (largest > 0 && largest < 1e-4) return tinyColumn(largest, significant);
  const digits = decimalsFor(largest, significant);
  return (value) => (value === null || value === undefined || !Number.isFinite(value) ? '—' : fixed(value, digits));
}

/** A column of tiny figures: each as a mantissa of the largest's power of ten, with the largest's `significant` digits. */
function tinyColumn(largest: number, significant: number): (value: number | null | undefined) => string {
  const power = Math.floor(Math.log10(largest) + 1e-12);
  const scale = 10 ** -power;
  const digits = Math.max(0, significant - 1);
  return (value) => {
    if (value === null || value === undefined || !Number.isFinite(value)) return '—';
    return value === 0 ? '0' : `${fixed(value * scale, digits)} × ${tenToThe(power)}`;
  };
}
