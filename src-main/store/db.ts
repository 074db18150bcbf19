/**
 * Opens the one SQLite database of a data folder, always encrypted: SQLite3MultipleCiphers in its SQLCipher 4
 * format (cipher sqlcipher, legacy 4: AES-256-CBC, HMAC-SHA512 per page, PBKDF2-SHA512 for passphrases), so the
 * database file, its WAL and its journals hold ciphertext only. The key is 32 raw bytes (`key="x'hex'"`, no key
 * derivation) or a passphrase (SQLCipher's own KDF); it is checked by reading sqlite_master before anything else,
 * and a plaintext store is refused, never opened. The data folder is made 0700 and the files 0600 (POSIX).
 *
 * A folder or file that cannot be written opens read-only (reads work, writes are refused in one line); a store
 * locked by another writer is waited for (busy_timeout), then refused in one line. `encryptStore` converts a
 * plaintext store of an older version into a new encrypted file beside it, verified, then renamed over it.
 * WAL mode, foreign keys, migrations applied from empty.
 */
import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../../src-shared/errors';
import { migrations, type Migration } from './migrations';

// Read-only folders need SQLite's `immutable` URI parameter (a WAL store cannot otherwise be read where its -shm
// file cannot be created); better-sqlite3 reads this once, when the first connection of the process opens.
process.env.SQLITE_USE_URI ??= '1';

export type Db = Database.Database;
export const DATABASE_FILE = 'workbench.sqlite';
/** The cipher every store uses (SQLCipher 4 compatible). */
export const STORE_CIPHER = 'sqlcipher (SQLCipher 4: AES-256-CBC, HMAC-SHA512)';
const BUSY_TIMEOUT_MS = 5000;
/** Temporary files of `encryptStore`; any left by a crash are removed at the next start. */
const TEMP_PREFIX = `${DATABASE_FILE}.tmp-`;

/** 32 raw bytes (a 256-bit key), or a passphrase stretched by SQLCipher's KDF. */
export type StoreKey = Uint8Array | string;

export interface OpenOptions {
  key: StoreKey;
  migrations?: Migration[];
}

/** A refusal about the store itself: one line; the CLI exits with `exitCode`. */
export class StoreError extends AppError {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super('conflict', message);
    this.name = 'StoreError';
  }
}

export const storeFile = (dataDir: string) => join(resolve(dataDir), DATABASE_FILE);
export const readOnlyMessage = (dataDir: string) => `the store in ${resolve(dataDir)} is read-only`;
export const BUSY_MESSAGE = 'the store is busy (another Contagion Workbench is writing); try again';

/** The SQL text of a key, for `PRAGMA key`, `PRAGMA rekey` and `ATTACH … KEY`. */
export function keyLiteral(key: StoreKey): string {
  if (typeof key === 'string') return `'${key.replaceAll("'", "''")}'`;
  if (key.length !== 32) throw new StoreError('a store key must be 256 bits (32 bytes)');
  return `"x'${Buffer.from(key).toString('hex')}'"`;
}

function applyKey(db: Db, key: StoreKey): void {
  db.pragma("cipher = 'sqlcipher'");
  db.pragma('legacy = 4');
  db.pragma(`key = ${keyLiteral(key)}`);
}

/** True when the file starts with SQLite's plaintext header ("SQLite format 3"). */
export function isPlaintextStore(file: string): boolean {
  if (!existsSync(file) || statSync(file).size === 0) return false;
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(16);
    readSync(fd, header, 0, 16, 0);
    return header.toString('latin1') === 'SQLite format 3\0';
  } finally {
    closeSync(fd);
  }
}

const writable = (path: string) => {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
};

/** Owner-only modes on POSIX: the folder 0700, the database and its -wal/-shm 0600. */
function restrictModes(dir: string): void {
  if (process.platform === 'win32') return;
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    const file = join(dir, DATABASE_FILE + suffix);
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}

/** The store's refusal for a SQLite error that is about the store rather than the request; else undefined. */
export function storeFault(error: unknown, dataDir: string): StoreError | undefined {
  if (error instanceof StoreError) return error;
  if (error instanceof AppError) return error.message === BUSY_MESSAGE ? new StoreError(BUSY_MESSAGE, 1) : undefined;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code.startsWith('SQLITE_READONLY')) return new StoreError(readOnlyMessage(dataDir));
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new StoreError(BUSY_MESSAGE, 1);
  if (code === 'SQLITE_NOTADB') return new StoreError(`the key does not open the store in ${resolve(dataDir)}`);
  return undefined;
}

/** A connection opened read-only; where the folder forbids the -shm file, the store is read as immutable. */
function openReadOnly(file: string): Db {
  const wal = `${file}-wal`;
  if (existsSync(`${file}-shm`) || (existsSync(wal) && statSync(wal).size > 0))
    return new Database(file, { readonly: true, fileMustExist: true });
  return new Database(`${pathToFileURL(file).href}?immutable=1`, { readonly: true, fileMustExist: true });
}

/**
 * The store of `dataDir` opened with `key`, migrated. Refuses (one line) a key that does not open it, a
 * plaintext store, and a missing store in a folder that cannot be written.
 */
export function openDatabase(dataDir: string, options: OpenOptions): Db {
  const dir = resolve(dataDir);
  const file = join(dir, DATABASE_FILE);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const readonly = !writable(dir) || (existsSync(file) && !writable(file));
  if (isPlaintextStore(file))
    throw new StoreError(`the store in ${dir} is not encrypted; run: cwb store encrypt --data-dir ${dir}`);
  if (readonly && !existsSync(file))
    throw new StoreError(`${readOnlyMessage(dir)} (the folder cannot be written and holds no store yet)`);
  if (!readonly) restrictModes(dir);
  let db: Db;
  try {
    db = readonly ? openReadOnly(file) : new Database(file);
  } catch (error) {
    throw storeFault(error, dir) ?? new StoreError(`the store in ${dir} cannot be opened: ${(error as Error).message}`);
  }
  try {
    // Before the first page is written, so SQLite gives the -wal and -shm files the same owner-only mode.
    if (!readonly) restrictModes(dir);
    applyKey(db, options.key);
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_NOTADB')
        throw new StoreError(`the key does not open the store in ${dir}`);
      throw error;
    }
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    const list = options.migrations ?? migrations;
    if (readonly) {
      if (schemaVersion(db) < list.length)
        throw new StoreError(
          `${readOnlyMessage(dir)} and was written by an older version; open it once where it can be written`,
        );
    } else {
      db.pragma('journal_mode = WAL');
      migrate(db, list);
      restrictModes(dir);
    }
    return db;
  } catch (error) {
    db.close();
    throw storeFault(error, dir) ?? error;
  }
}

/** Removes what a crash can leave in the data folder: upload folders of older versions, temporary store files. */
export function removeLeftovers(dataDir: string): string[] {
  const dir = resolve(dataDir);
  if (!existsSync(dir) || !writable(dir)) return [];
  const leftovers = readdirSync(dir).filter((name) => name.startsWith('upload-') || name.startsWith(TEMP_PREFIX));
  for (const name of leftovers) rmSync(join(dir, name), { recursive: true, force: true });
  return leftovers;
}

function tableCounts(db: Db, schema: string): Map<string, number> {
  const tables = db
    .prepare(
      `SELECT name FROM "${schema}".sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
    )
    .pluck()
    .all() as string[];
  return new Map(
    tables.map((table) => [
      table,
      db
        .prepare(`SELECT count(*) FROM "${schema}"."${table.replaceAll('"', '""')}"`)
        .pluck()
        .get() as number,
    ]),
  );
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Converts the plaintext store of `dataDir` to an encrypted one: every table, index, trigger and view copied into
 * a new encrypted file in the same folder (one transaction), fsynced, reopened with the key and checked (the same
 * row count per table, integrity_check ok), then renamed over the plaintext file. Returns the row counts.
 */
export function encryptStore(dataDir: string, key: StoreKey): Map<string, number> {
  const dir = resolve(dataDir);
  const file = join(dir, DATABASE_FILE);
  if (!existsSync(file)) throw new StoreError(`there is no store in ${dir}`);
  if (!isPlaintextStore(file)) throw new StoreError(`the store in ${dir} is already encrypted`);
  if (!writable(dir) || !writable(file)) throw new StoreError(readOnlyMessage(dir));
  // Fold the plaintext WAL into the file and make sure nobody is writing meanwhile.
  const plain = new Database(file, { fileMustExist: true });
  let counts: Map<string, number>;
  try {
    plain.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    plain.pragma('wal_checkpoint(TRUNCATE)');
    plain.pragma('journal_mode = DELETE');
    counts = tableCounts(plain, 'main');
  } catch (error) {
    throw storeFault(error, dir) ?? error;
  } finally {
    plain.close();
  }
  const temp = join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  try {
    const target = new Database(temp);
    try {
      if (process.platform !== 'win32') chmodSync(temp, 0o600);
      applyKey(target, key);
      target.exec(`ATTACH DATABASE '${file.replaceAll("'", "''")}' AS plain KEY ''`);
      target.transaction(() => {
        const objects = target
          .prepare("SELECT type, name, sql FROM plain.sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
          .all() as Array<{ type: string; name: string; sql: string }>;
        const order = ['table', 'index', 'view', 'trigger'];
        for (const object of objects.filter((o) => o.type === 'table')) {
          target.exec(object.sql);
          const quoted = `"${object.name.replaceAll('"', '""')}"`;
          target.exec(`INSERT INTO main.${quoted} SELECT * FROM plain.${quoted}`);
        }
        if (target.prepare("SELECT 1 FROM plain.sqlite_master WHERE name = 'sqlite_sequence'").get()) {
          target.exec(
            'DELETE FROM main.sqlite_sequence; INSERT INTO main.sqlite_sequence SELECT * FROM plain.sqlite_sequence',
          );
        }
        for (const type of order.slice(1))
          for (const object of objects.filter((o) => o.type === type)) target.exec(object.sql);
        target.pragma(`user_version = ${Number(target.pragma('plain.user_version', { simple: true }))}`);
      })();
      target.exec('DETACH DATABASE plain');
    } finally {
      target.close();
    }
    fsyncPath(temp);
    const check = new Database(temp, { fileMustExist: true });
    try {
      applyKey(check, key);
      const integrity = check.pragma('integrity_check', { simple: true });
      const copied = tableCounts(check, 'main');
      const same = copied.size === counts.size && [...counts].every(([table, n]) => copied.get(table) === n);
      if (integrity !== 'ok' || !same)
        throw new StoreError(
          `the encrypted copy of the store in ${dir} did not check out; the plaintext store is unchanged`,
          1,
        );
    } finally {
      check.close();
    }
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
    renameSync(temp, file);
    if (process.platform !== 'win32') fsyncPath(dir);
    restrictModes(dir);
    return counts;
  } catch (error) {
    rmSync(temp, { force: true });
    rmSync(`${temp}-journal`, { force: true });
    throw storeFault(error, dir) ?? error;
  }
}

/** Changes the key of the store `db` is open on (every page re-encrypted in one transaction). */
export function rekeyStore(db: Db, newKey: StoreKey): void {
  db.pragma(`rekey = ${keyLiteral(newKey)}`);
}

export function migrate(db: Db, list: Migration[] = migrations): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
  );
  const ordered = [...list].sort((a, b) => a.version - b.version);
  ordered.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`migration numbers must be 1, 2, 3…; found ${migration.version}`);
  });
  for (const migration of ordered) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    })();
  }
  return schemaVersion(db);
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}
