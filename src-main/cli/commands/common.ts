/** Helpers the `cwb` commands share: reading files, number flags, amounts, recovery-rate flags. */
import { accessSync, constants, readFileSync } from 'node:fs';
import { UsageError, type FlagSpec } from '../command';

function unreadable(path: string, error: unknown): UsageError {
  return new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
}

/** Reads a file or throws a UsageError naming it and why. */
export function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw unreadable(path, error);
  }
}

/** Checks a file can be read (before streaming it) or throws a UsageError naming it and why. */
export function assertReadable(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw unreadable(path, error);
  }
}

export const readTextFile = (path: string): string => readInputFile(path).toString('utf8');

/** Parses a number flag in [min, max], or returns the fallback when absent. */
export function numberFlag(flags: Record<string, string | true>, name: string, fallback: number, min: number, max: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a number in [${min}, ${max}], got "${raw === true ? '' : raw}"`);
  }
  return value;
}

/** A whole-number flag in [min, max], or the fallback when absent. */
export function wholeFlag(flags: Record<string, string | true>, name: string, fallback: number, min: number, max: number): number {
  const value = numberFlag(flags, name, fallback, min, max);
  if (!Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number, got "${String(flags[name])}"`);
  return value;
}

/** A flag that takes one of the allowed words (required unless a fallback is given). */
export function choice<T extends string>(flags: Record<string, string | true>, name: string, allowed: readonly T[], fallback?: T): T {
  const raw = flags[name];
  if (raw === undefined && fallback !== undefined) return fallback;
  if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${allowed.join('|')}${raw === undefined ? ' (required)' : `, got "${raw === true ? '' : raw}"`}`);
  }
  return raw as T;
}

/** A positive whole-number ID given as text (a positional or a flag's value). */
export function positiveId(text: string | undefined, what: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError(`${what} must be a positive whole number, got "${text ?? ''}"`);
  return id;
}

export const formatAmount = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

export const RECOVERY_FLAGS: FlagSpec[] = [
  { name: 'alpha', value: 'A', description: 'Rogers–Veraart recovery rate on outside assets of defaulted banks (default 1: Eisenberg–Noe)' },
  { name: 'beta', value: 'B', description: 'Rogers–Veraart recovery rate on interbank assets of defaulted banks (default 1: Eisenberg–Noe)' },
];

export const recoveryFromFlags = (flags: Record<string, string | true>): { alpha: number; beta: number } => ({
  alpha: numberFlag(flags, 'alpha', 1, 0, 1),
  beta: numberFlag(flags, 'beta', 1, 0, 1),
});
