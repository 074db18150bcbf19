/**
 * Where the key of a store comes from, for `cwb` and the browser-mode host (the desktop app wraps its own key
 * with Electron's safeStorage and also leaves it in the OS keyring, where this module finds it). In order:
 *
 * 1. a key file: `--key-file FILE`, else CWB_KEY_FILE — 64 hex digits (a 256-bit key); refused when group or
 *    others may read it (POSIX) or when it lies inside the data folder;
 * 2. the OS keyring (service "Contagion Workbench", account = the absolute data folder); for a new store with a
 *    working keyring that keeps its entries (macOS Keychain, Windows Credential Manager) a random 256-bit key is
 *    generated and saved there. On Linux the keyring behind @napi-rs/keyring is the kernel's (keyutils), which
 *    forgets its entries at reboot or sooner — measured here, the next process did not find a key the first one had
 *    saved — so a new store's only key is never put there: a store whose key vanishes is a store lost;
 * 3. a passphrase typed on the terminal when standard input is a TTY (not echoed; asked twice for a new store);
 *
 * otherwise a one-line refusal naming the three ways. No key is ever written in plaintext beside the data.
 */
import { Entry } from '@napi-rs/keyring';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, statSync, writeSync } from 'node:fs';
import { relative, resolve, isAbsolute } from 'node:path';
import { isPlaintextStore, storeFile, StoreError, type StoreKey } from './db';

export const KEYRING_SERVICE = 'Contagion Workbench';

export type KeySource = 'key file' | 'OS keyring' | 'passphrase' | 'desktop app (safeStorage)';

export interface ResolvedKey {
  key: StoreKey;
  source: KeySource;
  /** The key file, when the key came from one. */
  file?: string;
  /** True when the key was generated now (a new store). */
  created: boolean;
}

/** The OS keyring as this module uses it; tests pass a fake. Every method may throw when no keyring is running. */
export interface Keyring {
  /** Whether entries outlive the process and a reboot, so a store's only key may live there. */
  readonly persistent: boolean;
  get(account: string): string | null;
  set(account: string, secret: string): void;
  delete(account: string): void;
}

export const osKeyring: Keyring = {
  persistent: process.platform !== 'linux',
  get: (account) => new Entry(KEYRING_SERVICE, account).getPassword(),
  set: (account, secret) => new Entry(KEYRING_SERVICE, account).setPassword(secret),
  delete: (account) => void new Entry(KEYRING_SERVICE, account).deletePassword(),
};

export interface KeyOptions {
  /** `--key-file FILE`; CWB_KEY_FILE when absent. */
  keyFile?: string;
  env?: NodeJS.ProcessEnv;
  keyring?: Keyring;
  /** Whether a passphrase may be asked for (default: standard input is a TTY). */
  interactive?: boolean;
  prompt?: (question: string) => string;
  /** Whether the store is to be created (default: no encrypted store in the folder yet). */
  newStore?: boolean;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** Whether `child` lies in `parent`, symbolic links resolved where the paths exist. */
function inside(child: string, parent: string): boolean {
  const real = (path: string) => (existsSync(path) ? realpathSync(path) : path);
  const path = relative(real(parent), real(child));
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

/** A 256-bit key from a key file; refuses a file others may read or one inside the data folder. */
export function readKeyFile(path: string, dataDir: string): Uint8Array {
  const file = resolve(path);
  if (!existsSync(file)) throw new StoreError(`the key file ${file} does not exist`);
  if (inside(file, resolve(dataDir)))
    throw new StoreError(`the key file ${file} lies inside the data folder; keep it elsewhere`);
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new StoreError(`the key file ${file} can be read by other users; run: chmod 600 ${file}`);
  }
  const text = readFileSync(file, 'utf8').trim();
  if (!HEX_KEY.test(text)) throw new StoreError(`the key file ${file} must hold 64 hexadecimal digits (a 256-bit key)`);
  return Buffer.from(text, 'hex');
}

/** A new random 256-bit key as the 64 hex digits a key file holds. */
export const newKeyHex = () => randomBytes(32).toString('hex');

/** Asks on the terminal without echo (POSIX `stty`); the answer without its line ending. */
export function terminalPrompt(question: string): string {
  const fd = openSync('/dev/tty', 'r+');
  const stty = (flag: string) => spawnSync('stty', [flag], { stdio: [fd, 'ignore', 'ignore'] });
  try {
    writeSync(fd, question);
    stty('-echo');
    try {
      const bytes: number[] = [];
      const buffer = Buffer.alloc(1);
      while (readSync(fd, buffer, 0, 1, null) === 1 && buffer[0] !== 0x0a && buffer[0] !== 0x0d) bytes.push(buffer[0]!);
      return Buffer.from(bytes).toString('utf8');
    } finally {
      stty('echo');
      writeSync(fd, '\n');
    }
  } finally {
    closeSync(fd);
  }
}

function askPassphrase(dataDir: string, newStore: boolean, prompt: (question: string) => string): string {
  const first = prompt(`Passphrase for the store in ${dataDir}: `);
  if (first.length === 0) throw new StoreError('an empty passphrase does not protect the store');
  if (newStore && prompt('The same passphrase again: ') !== first)
    throw new StoreError('the two passphrases differ; nothing was changed');
  return first;
}

/** A new passphrase for `cwb store rekey` (asked twice); refused when no terminal can ask for it. */
export function askNewPassphrase(options: Pick<KeyOptions, 'interactive' | 'prompt'> = {}): string {
  if (!(options.interactive ?? process.stdin.isTTY === true))
    throw new StoreError('give --new-key-file FILE, or run in a terminal to type a new passphrase');
  return askPassphrase('(new passphrase)', true, options.prompt ?? terminalPrompt);
}

/** Reads the keyring entry of a data folder; undefined when there is none or no keyring works. */
export function keyringKey(dataDir: string, keyring: Keyring = osKeyring): Uint8Array | undefined {
  try {
    const secret = keyring.get(resolve(dataDir));
    return secret && HEX_KEY.test(secret) ? Buffer.from(secret, 'hex') : undefined;
  } catch {
    return undefined;
  }
}

/** Saves a raw key in the keyring entry of a data folder; false when no keyring works. */
export function saveInKeyring(dataDir: string, key: Uint8Array, keyring: Keyring = osKeyring): boolean {
  try {
    keyring.set(resolve(dataDir), Buffer.from(key).toString('hex'));
    return true;
  } catch {
    return false;
  }
}

/** The key of the store in `dataDir`, from the first source that has one (see the module comment). */
export function resolveStoreKey(dataDir: string, options: KeyOptions = {}): ResolvedKey {
  const dir = resolve(dataDir);
  const env = options.env ?? process.env;
  const keyring = options.keyring ?? osKeyring;
  const file = storeFile(dir);
  const newStore = options.newStore ?? (!existsSync(file) || statSync(file).size === 0 || isPlaintextStore(file));
  const keyFile = options.keyFile ?? env.CWB_KEY_FILE;
  if (keyFile) return { key: readKeyFile(keyFile, dir), source: 'key file', file: resolve(keyFile), created: false };
  const stored = keyringKey(dir, keyring);
  if (stored) return { key: stored, source: 'OS keyring', created: false };
  if (newStore && keyring.persistent) {
    const key = Buffer.from(newKeyHex(), 'hex');
    if (saveInKeyring(dir, key, keyring) && keyringKey(dir, keyring))
      return { key, source: 'OS keyring', created: true };
  }
  if (options.interactive ?? process.stdin.isTTY === true) {
    return {
      key: askPassphrase(dir, newStore, options.prompt ?? terminalPrompt),
      source: 'passphrase',
      created: newStore,
    };
  }
  throw new StoreError(
    `no key for the store in ${dir}: give --key-file FILE (or set CWB_KEY_FILE), unlock the OS keyring, or run in a terminal to type the passphrase`,
  );
}
