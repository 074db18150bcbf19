/** Helpers the `cwb` commands share: reading files, ids, amounts, recovery-rate flags. */
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { recoveryRatesSchema } from '../../../src-shared/jobs';
import { UsageError, type FlagSpec } from '../command';
import { requiredFlag, schemaFlag } from '../schema-flags';

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

/** The SHA-256 of a file read in 8 MiB pieces (network files may be far larger than one Buffer). */
export function fileSha256(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(8 * 2 ** 20);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) hash.update(chunk.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

export const readTextFile = (path: string): string => readInputFile(path).toString('utf8');

/** A positive whole-number ID given as text (a positional or a flag's value). */
export function positiveId(text: string | undefined, what: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0)
    throw new UsageError(`${what} must be a positive whole number, got "${text ?? ''}"`);
  return id;
}

export const formatAmount = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 2 });

const RECOVERY = recoveryRatesSchema.shape;
const ALPHA_FLAG = schemaFlag(
  'alpha',
  'A',
  RECOVERY.alpha,
  'Rogers–Veraart recovery rate on outside assets of defaulted banks; 1 is Eisenberg–Noe',
  1,
);
const BETA_FLAG = schemaFlag(
  'beta',
  'B',
  RECOVERY.beta,
  'Rogers–Veraart recovery rate on interbank assets of defaulted banks; 1 is Eisenberg–Noe',
  1,
);
export const RECOVERY_FLAGS: FlagSpec[] = [ALPHA_FLAG, BETA_FLAG];

export const recoveryFromFlags = (flags: Record<string, string | true>): { alpha: number; beta: number } => ({
  alpha: requiredFlag(flags, ALPHA_FLAG),
  beta: requiredFlag(flags, BETA_FLAG),
});
