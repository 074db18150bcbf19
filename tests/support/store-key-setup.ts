/**
 * Vitest setup (every test file): a fresh 256-bit store key in a 0600 file of its own temporary folder, named by
 * CWB_KEY_FILE, so the stores tests open, and every `cwb` or host process they spawn (which inherit the
 * environment), are encrypted with it. Removed when the file's tests end.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { newKeyHex } from '../../src-main/store/store-key';

const folder = mkdtempSync(join(tmpdir(), 'cwb-test-key-'));
const keyFile = join(folder, 'store.key');
writeFileSync(keyFile, `${newKeyHex()}\n`, { mode: 0o600 });
chmodSync(keyFile, 0o600);
process.env.CWB_KEY_FILE = keyFile;

afterAll(() => rmSync(folder, { recursive: true, force: true }));
