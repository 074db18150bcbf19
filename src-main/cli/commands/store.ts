/**
 * `cwb store encrypt|rekey|status`: the store's encryption from the command line — convert a plaintext store of
 * an older version, change the key, or show whether the store is encrypted, with which cipher, where its key
 * comes from and the modes of its files.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultDataDir } from '../../app';
import {
  DATABASE_FILE,
  encryptStore,
  isPlaintextStore,
  openDatabase,
  rekeyStore,
  STORE_CIPHER,
  storeFile,
} from '../../store/db';
import {
  askNewPassphrase,
  keyringKey,
  readKeyFile,
  resolveStoreKey,
  saveInKeyring,
  osKeyring,
  type ResolvedKey,
} from '../../store/store-key';
import { UsageError, type Command, type ParsedArgs } from '../command';

const ACTIONS = ['encrypt', 'rekey', 'status'] as const;

const dataDirOf = (flags: ParsedArgs['flags']) =>
  resolve(typeof flags['data-dir'] === 'string' ? flags['data-dir'] : defaultDataDir());
const keyFileOf = (flags: ParsedArgs['flags']) =>
  typeof flags['key-file'] === 'string' ? flags['key-file'] : undefined;

const describeSource = (resolved: ResolvedKey) =>
  resolved.file ? `${resolved.source} ${resolved.file}` : resolved.source;

/** Octal modes of the data folder and the store's files that exist (POSIX); "n/a" on Windows. */
function fileModes(dir: string): Record<string, string> {
  const modes: Record<string, string> = {};
  for (const [label, path] of [
    ['folder', dir],
    ...['', '-wal', '-shm'].map((suffix) => [DATABASE_FILE + suffix, join(dir, DATABASE_FILE + suffix)]),
  ] as Array<[string, string]>) {
    if (existsSync(path))
      modes[label] = process.platform === 'win32' ? 'n/a' : (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
  }
  return modes;
}

export const storeCommand: Command = {
  name: 'store',
  summary: "the store's encryption: encrypt a plaintext store, change its key (rekey), or show its status",
  usage: 'cwb store encrypt|rekey|status [--data-dir DIR] [--key-file FILE] [--new-key-file FILE] [--json]',
  positionals: 1,
  flags: [
    {
      name: 'new-key-file',
      value: 'FILE',
      description:
        'rekey: the new key (64 hex digits, mode 600, outside the data folder); else a new passphrase is asked twice',
    },
  ],
  run({ positionals, flags }, io) {
    const action = positionals[0] as (typeof ACTIONS)[number];
    if (!ACTIONS.includes(action))
      throw new UsageError(`"cwb store" takes encrypt, rekey or status, got "${positionals[0]}"`);
    const dir = dataDirOf(flags);
    const keyFile = keyFileOf(flags);
    const file = storeFile(dir);

    if (action === 'status') {
      const encrypted = existsSync(file) && !isPlaintextStore(file);
      let keySource = 'none (no store yet)';
      if (encrypted) {
        try {
          const resolved = resolveStoreKey(dir, { keyFile, newStore: false });
          openDatabase(dir, { key: resolved.key }).close();
          keySource = describeSource(resolved);
        } catch (error) {
          keySource = `none that opens it (${(error as Error).message})`;
        }
      } else if (existsSync(file)) {
        keySource = 'none (plaintext)';
      }
      const status = {
        dataDir: dir,
        encrypted,
        cipher: encrypted ? STORE_CIPHER : null,
        keySource,
        modes: fileModes(dir),
      };
      if (flags.json) {
        io.out(JSON.stringify(status));
      } else {
        io.out(`store      ${file}${existsSync(file) ? '' : ' (not created yet)'}`);
        io.out(`encrypted  ${encrypted ? 'yes' : 'no'}`);
        io.out(`cipher     ${status.cipher ?? '-'}`);
        io.out(`key        ${keySource}`);
        io.out(
          `modes      ${
            Object.entries(status.modes)
              .map(([name, mode]) => `${name} ${mode}`)
              .join(', ') || '-'
          }`,
        );
      }
      return 0;
    }

    if (action === 'encrypt') {
      const resolved = resolveStoreKey(dir, { keyFile, newStore: true });
      const counts = encryptStore(dir, resolved.key);
      const rows = [...counts.values()].reduce((sum, n) => sum + n, 0);
      io.err(
        `encrypted the store in ${dir}: ${counts.size} tables, ${rows} rows; key from ${describeSource(resolved)}`,
      );
      if (flags.json)
        io.out(JSON.stringify({ dataDir: dir, tables: counts.size, rows, keySource: describeSource(resolved) }));
      return 0;
    }

    // rekey
    if (!existsSync(file)) throw new UsageError(`there is no store in ${dir}`);
    const current = resolveStoreKey(dir, { keyFile, newStore: false });
    const newKey =
      typeof flags['new-key-file'] === 'string' ? readKeyFile(flags['new-key-file'], dir) : askNewPassphrase();
    const db = openDatabase(dir, { key: current.key });
    try {
      rekeyStore(db, newKey);
    } finally {
      db.close();
    }
    openDatabase(dir, { key: newKey }).close();
    let keyring = '';
    if (current.source === 'OS keyring') {
      if (typeof newKey === 'string') {
        osKeyring.delete(dir);
        keyring = '; the old key was removed from the OS keyring (type the passphrase from now on)';
      } else {
        keyring =
          saveInKeyring(dir, newKey) && keyringKey(dir)
            ? '; the OS keyring holds the new key'
            : '; the OS keyring could not be updated: keep the new key file';
      }
    }
    io.err(`changed the key of the store in ${dir}${keyring}`);
    if (flags.json) io.out(JSON.stringify({ dataDir: dir, rekeyed: true }));
    return 0;
  },
};
