/**
 * The limits every engine keeps so that a result never holds NaN or ∞ and a job never exhausts the machine's
 * memory (docs/data-protection/numbers-and-crashes.md):
 *
 * - amounts: |x| ≤ 1e15 in the network's unit. Products and sums of amounts near 1e308 overflow to ∞ and then
 *   give NaN; 1e15 leaves room for sums over a million banks and squares summed over 1e8 scenarios. Networks
 *   given as files (`cwb stress NETWORK.json`) and stored versions both pass through `assertSupportedAmounts`.
 * - memory: an engine that allocates dense n × n arrays first estimates the bytes and refuses in one line when
 *   they exceed the limit (half of the machine's memory, or CWB_MEMORY_LIMIT_MB).
 * - results: `assertFiniteResult` walks a result before it is printed or saved; a non-finite number there is a
 *   bug and is refused instead of becoming a JSON `null`.
 */
import { totalmem } from 'node:os';
import { NUMERIC_NODE_FIELDS } from '../../src-shared/formats/columns';
import { MAX_AMOUNT, type NetworkDocument } from '../../src-shared/formats/network';
import { AppError } from '../../src-shared/errors';
import { EngineInputError } from './errors';

/** The largest |amount| the engines accept, in the network's unit: the network@1 format's own bound. */
export const MAX_SUPPORTED_AMOUNT = MAX_AMOUNT;

/** 1e308, 2.5e20, 123456: an amount as a person writes it (no "+" in the exponent). */
export function formatMagnitude(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-4))
    return value
      .toExponential()
      .replace('e+', 'e')
      .replace(/\.?0+e/, 'e');
  return String(value);
}

function overflowError(largest: number, where: string, field?: string): EngineInputError {
  return new EngineInputError(
    `amounts up to ${formatMagnitude(largest)} (${where}) overflow the computation; the largest supported amount is ` +
      `${formatMagnitude(MAX_SUPPORTED_AMOUNT)} in the network's unit`,
    field,
  );
}

/** Every numeric node field but the default probability (a number in [0, 1]). */
const NODE_AMOUNT_FIELDS = NUMERIC_NODE_FIELDS.filter((field) => field !== 'defaultProbability');

/**
 * Refuses a network whose amounts (node balance sheets or liabilities) exceed MAX_SUPPORTED_AMOUNT in absolute
 * value, naming the largest one and where it is.
 */
export function assertSupportedAmounts(doc: Pick<NetworkDocument, 'nodes' | 'liabilities'>): void {
  let largest = 0;
  let where = '';
  let field: string | undefined;
  doc.nodes.forEach((node, index) => {
    for (const name of NODE_AMOUNT_FIELDS) {
      const value = node[name];
      if (typeof value === 'number' && !(Math.abs(value) <= largest)) {
        largest = Math.abs(value);
        where = `node "${node.id}", ${name}`;
        field = `nodes.${index}.${name}`;
      }
    }
  });
  doc.liabilities.forEach((entry, k) => {
    if (!(Math.abs(entry.amount) <= largest)) {
      largest = Math.abs(entry.amount);
      where = `liability ${entry.debtor} → ${entry.creditor}`;
      field = `liabilities.${k}.amount`;
    }
  });
  if (!(largest <= MAX_SUPPORTED_AMOUNT)) throw overflowError(largest, where, field);
}

/** The same check for amounts given as arrays (margins, dense matrices): `label(i)` names entry i. */
export function assertSupportedArray(values: ArrayLike<number>, label: (index: number) => string): void {
  let largest = 0;
  let at = -1;
  for (let i = 0; i < values.length; i++) {
    const value = Math.abs(values[i]!);
    if (!(value <= largest)) {
      largest = value;
      at = i;
    }
  }
  if (!(largest <= MAX_SUPPORTED_AMOUNT)) throw overflowError(largest, label(at));
}

/** Bytes of the memory limit: CWB_MEMORY_LIMIT_MB megabytes (of 2^20 bytes), else half of the machine's memory. */
export function memoryLimitBytes(): number {
  const text = process.env.CWB_MEMORY_LIMIT_MB;
  if (text === undefined || text.trim() === '') return totalmem() / 2;
  const megabytes = Number(text);
  if (!Number.isFinite(megabytes) || megabytes <= 0) {
    throw new EngineInputError(`CWB_MEMORY_LIMIT_MB must be a positive number of megabytes, got "${text}"`);
  }
  return megabytes * 2 ** 20;
}

/** 9.6 GB, 310 MB, 12 kB, in units of 2^10 (as memory is counted, and as CWB_MEMORY_LIMIT_MB is read). */
export function formatBytes(bytes: number): string {
  const units = ['TB', 'GB', 'MB', 'kB'] as const;
  for (const [k, unit] of units.entries()) {
    const size = 2 ** (10 * (units.length - k));
    if (bytes >= size) {
      const value = bytes / size;
      return `${value >= 100 ? value.toFixed(0) : value.toPrecision(2).replace(/\.0$/, '')} ${unit}`;
    }
  }
  return `${Math.round(bytes)} bytes`;
}

/** Bytes of `count` dense n × n Float64Arrays. */
export const denseBytes = (n: number, count = 1): number => count * 8 * n * n;

/**
 * Bytes of one liability held as a network@1 entry ({debtor, creditor, amount}: an object with a boxed number,
 * about 60 bytes in V8) and written out (a JSON entry or a store row, about 60 more).
 */
export const BYTES_PER_LIABILITY = 120;
export const liabilityListBytes = (entries: number): number => entries * BYTES_PER_LIABILITY;

/**
 * Refuses, before anything is allocated, work that needs more than the memory limit:
 * "a maximum-entropy network of 20,000 banks needs about 9.6 GB; the limit is 12 GB (CWB_MEMORY_LIMIT_MB)".
 */
export function assertMemoryFits(bytes: number, what: string): void {
  const limit = memoryLimitBytes();
  if (bytes > limit) {
    throw new EngineInputError(
      `${what} needs about ${formatBytes(bytes)}; the limit is ${formatBytes(limit)} (CWB_MEMORY_LIMIT_MB)`,
    );
  }
}

/** "20,000 banks". */
export const banks = (n: number): string => `${n.toLocaleString('en-US')} bank${n === 1 ? '' : 's'}`;

/**
 * The one convention for a ratio whose denominator may be zero: `{ key: numerator / denominator }` when the
 * denominator is positive, else `{ keyNote: note }` (the number left out, the reason in words).
 */
export function ratioField<K extends string>(
  key: K,
  numerator: number,
  denominator: number,
  note: string,
): Partial<Record<K, number> & Record<`${K}Note`, string>> {
  return (denominator > 0 ? { [key]: numerator / denominator } : { [`${key}Note`]: note }) as Partial<
    Record<K, number> & Record<`${K}Note`, string>
  >;
}

/** The path of the first non-finite number in a plain result (objects, arrays, typed arrays), or null. */
export function firstNonFinite(value: unknown, path = ''): { path: string; value: number } | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path: path || '(value)', value };
  if (value === null || typeof value !== 'object') return null;
  if (ArrayBuffer.isView(value)) {
    const array = value as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < array.length; i++) {
      const entry = array[i];
      if (typeof entry === 'number' && !Number.isFinite(entry)) return { path: `${path}[${i}]`, value: entry };
    }
    return null;
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [`[${i}]`, v])
    : Object.entries(value);
  for (const [key, entry] of entries) {
    const found = firstNonFinite(entry, key.startsWith('[') ? `${path}${key}` : path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return null;
}

/**
 * The last guard before a result is printed or saved: a NaN or ∞ there would become a JSON `null` that stands for
 * nothing. Every undefined quantity must instead be left out with a `…Note` in words, so this is a bug: refused.
 */
export function assertFiniteResult<T>(result: T, what: string): T {
  const found = firstNonFinite(result);
  if (found) {
    throw new AppError(
      'internal',
      `the ${what} has a non-finite number at ${found.path} (${found.value}); nothing was written — please report this`,
    );
  }
  return result;
}
