/** Store helpers for the encryption and fault tests: `cwb` in a child process, plaintext stores of older versions, key files, file scans. */
import Database from 'better-sqlite3-multiple-ciphers';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE, migrate, type Db } from '../../src-main/store/db';
import { repoRoot } from './fixtures';

export function cwb(args: string[], options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}) {
  const spawnOptions: SpawnSyncOptions = { encoding: 'utf8', env: { ...process.env, ...options.env }, cwd: repoRoot };
  if (options.uid !== undefined) Object.assign(spawnOptions, { uid: options.uid, gid: options.gid });
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/cwb.mjs'), ...args], spawnOptions);
  return { code: result.status, out: String(result.stdout), err: String(result.stderr) };
}

/** A key file holding a new random key, mode 0600 unless told. */
export function writeKeyFile(path: string, mode = 0o600): Buffer {
  const key = randomBytes(32);
  writeFileSync(path, key.toString('hex'), { mode });
  return key;
}

/** A plaintext store as versions before encryption wrote it: WAL, migrated. */
export function openPlaintextStore(dataDir: string): Db {
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** Every file under `dir` (recursively) whose bytes contain `text` (UTF-8). */
export function filesContaining(dir: string, text: string): string[] {
  const needle = Buffer.from(text, 'utf8');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile() && readFileSync(path).includes(needle));
}

/** Rows per table and the content of every table, to compare a store before and after. */
export function storeContent(db: Db): Record<string, unknown[]> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  const sorted = (rows: unknown[]) =>
    rows
      .map((row) =>
        JSON.stringify(row, (_, value: unknown) => (Buffer.isBuffer(value) ? value.toString('hex') : value)),
      )
      .sort();
  return Object.fromEntries(tables.map((table) => [table, sorted(db.prepare(`SELECT * FROM "${table}"`).all())]));
}
