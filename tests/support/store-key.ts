/** The store key of the running test file (written by ./store-key-setup.ts), for tests that open stores directly. */
import { tmpdir } from 'node:os';
import { readKeyFile } from '../../src-main/store/store-key';

export function testStoreKey(): Uint8Array {
  const file = process.env.CWB_KEY_FILE;
  if (!file) throw new Error('CWB_KEY_FILE is not set: tests/support/store-key-setup.ts did not run');
  return readKeyFile(file, tmpdir() + '/no-such-data-folder');
}
