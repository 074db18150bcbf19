/**
 * store/ benchmark: the cost of encryption at rest. The 1,000,000-row holdings CSV of bench/io.bench.ts is
 * streamed into an encrypted store (SQLCipher 4 format, a raw 256-bit key) and into a plaintext store (the same
 * schema and pragmas, no key) in the same process, alternately, ROUNDS times each; the figure is the best time of
 * each and their ratio (goal: encrypted ≤ 1.3 × plaintext). Also the on-disk size of each store and the time to
 * open the encrypted store with a raw key and with a passphrase (SQLCipher's PBKDF2, 256,000 iterations).
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importHoldingsCsv } from '../src-main/io/holdings-csv';
import { DATABASE_FILE, migrate, openDatabase, type Db } from '../src-main/store/db';
import { writeHoldings } from './io.bench';

const ROUNDS = Number(process.env.CWB_BENCH_STORE_ROUNDS ?? 2);
const MiB = 2 ** 20;
const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** The plaintext reference: what openDatabase did before encryption (WAL, foreign keys, migrations). */
function openPlaintext(dir: string): Db {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

const folderMiB = (dir: string) =>
  readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0) / MiB;

async function importInto(
  db: Db,
  dir: string,
  csvPath: string,
): Promise<{ seconds: number; positions: number; storeMiB: number }> {
  const started = performance.now();
  const result = await importHoldingsCsv(db, {
    filePath: csvPath,
    fileName: 'holdings.csv',
    datasetName: 'bench holdings',
  });
  db.pragma('wal_checkpoint(TRUNCATE)');
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { seconds, positions: result.positions, storeMiB: round(folderMiB(dir), 1) };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'cwb-bench-store-'));
  try {
    const csvPath = join(dir, 'holdings.csv');
    writeHoldings(csvPath);
    const key = randomBytes(32);
    const encrypted: number[] = [];
    const plaintext: number[] = [];
    let sizes = { encryptedMiB: 0, plaintextMiB: 0 };
    for (let r = 0; r < ROUNDS; r += 1) {
      const encDir = join(dir, `encrypted-${r}`);
      const plainDir = join(dir, `plaintext-${r}`);
      const enc = await importInto(openDatabase(encDir, { key }), encDir, csvPath);
      const plain = await importInto(openPlaintext(plainDir), plainDir, csvPath);
      if (enc.positions !== plain.positions) throw new Error('the two stores imported different positions');
      encrypted.push(enc.seconds);
      plaintext.push(plain.seconds);
      sizes = { encryptedMiB: enc.storeMiB, plaintextMiB: plain.storeMiB };
      if (r < ROUNDS - 1) rmSync(encDir, { recursive: true, force: true });
      rmSync(plainDir, { recursive: true, force: true });
    }

    const encDir = join(dir, `encrypted-${ROUNDS - 1}`);
    let started = performance.now();
    openDatabase(encDir, { key }).close();
    const openRawSeconds = (performance.now() - started) / 1000;
    const passDir = join(dir, 'passphrase');
    openDatabase(passDir, { key: 'a bench passphrase' }).close();
    started = performance.now();
    openDatabase(passDir, { key: 'a bench passphrase' }).close();
    const openPassphraseSeconds = (performance.now() - started) / 1000;

    const best = (times: number[]) => Math.min(...times);
    return {
      holdingsImport: {
        rows: 1_000_000,
        rounds: ROUNDS,
        encryptedSeconds: encrypted.map((s) => round(s)),
        plaintextSeconds: plaintext.map((s) => round(s)),
        bestEncryptedSeconds: round(best(encrypted)),
        bestPlaintextSeconds: round(best(plaintext)),
        ...sizes,
        reference: { what: 'the same import into a plaintext store (no key), same process' },
        ratioToReference: round(best(encrypted) / best(plaintext), 3),
        goalRatio: 1.3,
      },
      open: { rawKeySeconds: round(openRawSeconds), passphraseSeconds: round(openPassphraseSeconds) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
