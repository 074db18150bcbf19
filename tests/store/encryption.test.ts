import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src-main/app';
import { call } from '../../src-main/api/router';
import { maxEntropyVersion, storeImportedDataset } from '../../src-main/api/services';
import { importFile } from '../../src-main/io/importers';
import { seedSamples } from '../../src-main/api/samples';
import { DATABASE_FILE, isPlaintextStore, openDatabase, StoreError } from '../../src-main/store/db';
import { readKeyFile, resolveStoreKey, type Keyring } from '../../src-main/store/store-key';
import { bundledSample, readBytes, repoRoot, ringNetwork, tempDir, picked } from '../support/fixtures';
import { cwb, filesContaining, openPlaintextStore, storeContent, writeKeyFile } from '../support/store';
import { testStoreKey } from '../support/store-key';
import { stringMatching } from '../support/matchers';

const dirs: Array<{ path: string; remove(): void }> = [];
const fresh = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
};
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

const mode = (path: string) => statSync(path).mode & 0o777;
const oneLine = (text: string) => text.trim().split('\n');

/**
 * A keyring in memory; `broken` makes every call throw as on a machine without Secret Service; `persistent: false`
 * is a keyring that forgets at reboot (Linux keyutils).
 */
function fakeKeyring(broken = false, persistent = true): Keyring & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const check = () => {
    if (broken) throw new Error("Couldn't access platform storage");
  };
  return {
    entries,
    persistent,
    get: (account) => (check(), entries.get(account) ?? null),
    set: (account, secret) => (check(), void entries.set(account, secret)),
    delete: (account) => (check(), void entries.delete(account)),
  };
}

describe('encryption at rest', () => {
  it('leaves no stored name in any file of the data folder, the WAL included, and never stages an upload on disk', async () => {
    const dataDir = fresh();
    const app = createApp({ dataDir, transport: 'cli', key: testStoreKey() });
    try {
      expect(seedSamples(app.db)).toHaveLength(1);
      const network = ringNetwork('Supervised network');
      network.nodes = network.nodes.map((node, k) => ({
        ...node,
        name: `Banque Confidentielle ${['Alpha', 'Beta', 'Gamma'][k]}`,
      }));
      await call(app.router, 'datasets:import', picked(app, 'ring.json', JSON.stringify(network)));
      const names = [...network.nodes.map((node) => node.name!), 'eba-2011-disclosure.csv', 'Supervised network'];
      const investor = 'Confidential Pension Fund Zeta';
      const csv = `investor,investor_name,asset,date,amount\nZ1,${investor},XS0000000001,2024-03-31,10\nZ1,${investor},XS0000000002,2024-03-31,5\n`;
      await call(app.router, 'datasets:importHoldings', picked(app, 'zeta.csv', csv));

      const files = readdirSync(dataDir);
      expect(files).toContain(`${DATABASE_FILE}-wal`); // the app is still open: its WAL holds recent pages
      expect(files.filter((name) => name.startsWith('upload-'))).toEqual([]);
      for (const name of [...names, investor, 'XS0000000001']) expect(filesContaining(dataDir, name), name).toEqual([]);
      expect(isPlaintextStore(join(dataDir, DATABASE_FILE))).toBe(false);
    } finally {
      await app.close();
    }

    // The same scan finds the names in a plaintext store: the check above could fail.
    const plainDir = fresh();
    const plain = openPlaintextStore(plainDir);
    storeImportedDataset(
      plain,
      importFile('eba-2011-disclosure.csv', readBytes(bundledSample('eba-2011-disclosure.csv'))),
      'eba-2011-disclosure.csv',
    );
    expect(filesContaining(plainDir, 'eba-2011-disclosure.csv').length).toBeGreaterThan(0);
    plain.close();
  });

  it('refuses a wrong key in one line, and `cwb` with another key file exits 2', { timeout: 180_000 }, () => {
    const dataDir = fresh();
    openDatabase(dataDir, { key: testStoreKey() }).close();
    const other = Buffer.alloc(32, 7);
    expect(() => openDatabase(dataDir, { key: other })).toThrow(
      new StoreError(`the key does not open the store in ${dataDir}`),
    );
    expect(() => openDatabase(dataDir, { key: 'a passphrase' })).toThrow(/^the key does not open the store in /);

    const keyDir = fresh();
    writeKeyFile(join(keyDir, 'other.key'));
    const result = cwb(['list', '--data-dir', dataDir, '--key-file', join(keyDir, 'other.key')]);
    expect(result.code).toBe(2);
    expect(oneLine(result.err)).toEqual([`cwb: the key does not open the store in ${dataDir}`]);
  });

  it('opens a passphrase store with the passphrase only', () => {
    const dataDir = fresh();
    openDatabase(dataDir, { key: "it's a long passphrase" }).close();
    openDatabase(dataDir, { key: "it's a long passphrase" }).close();
    expect(() => openDatabase(dataDir, { key: testStoreKey() })).toThrow(/does not open/);
  });

  it(
    'refuses a plaintext store; `cwb store encrypt` converts it with every row, then `cwb store rekey` changes the key',
    { timeout: 180_000 },
    () => {
      const dataDir = fresh();
      const plain = openPlaintextStore(dataDir);
      const { versionId } = storeImportedDataset(
        plain,
        importFile('eba-2011-disclosure.csv', readBytes(bundledSample('eba-2011-disclosure.csv'))),
        'eba-2011-disclosure.csv',
      );
      maxEntropyVersion(plain, versionId);
      const before = storeContent(plain);
      plain.close();
      expect(before.network_versions).toHaveLength(2);

      expect(() => openDatabase(dataDir, { key: testStoreKey() })).toThrow(
        new StoreError(`the store in ${dataDir} is not encrypted; run: cwb store encrypt --data-dir ${dataDir}`),
      );

      const encrypt = cwb(['store', 'encrypt', '--data-dir', dataDir]);
      expect(encrypt.code, encrypt.err).toBe(0);
      expect(encrypt.err).toMatch(/^encrypted the store in .*: \d+ tables, \d+ rows; key from key file /);
      expect(readdirSync(dataDir).sort()).toEqual([DATABASE_FILE]); // no plaintext WAL/SHM, no temporary file
      expect(isPlaintextStore(join(dataDir, DATABASE_FILE))).toBe(false);
      expect(filesContaining(dataDir, 'eba-2011-disclosure.csv')).toEqual([]);
      expect(mode(join(dataDir, DATABASE_FILE))).toBe(0o600);
      const encrypted = openDatabase(dataDir, { key: testStoreKey() });
      expect(storeContent(encrypted)).toEqual(before);
      expect(encrypted.pragma('integrity_check', { simple: true })).toBe('ok');
      encrypted.close();

      const again = cwb(['store', 'encrypt', '--data-dir', dataDir]);
      expect(again.code).toBe(2);
      expect(oneLine(again.err)).toEqual([`cwb: the store in ${dataDir} is already encrypted`]);

      const keyDir = fresh();
      const newKey = writeKeyFile(join(keyDir, 'new.key'));
      const rekey = cwb(['store', 'rekey', '--data-dir', dataDir, '--new-key-file', join(keyDir, 'new.key')]);
      expect(rekey.code, rekey.err).toBe(0);
      expect(() => openDatabase(dataDir, { key: testStoreKey() })).toThrow(/does not open/);
      const rekeyed = openDatabase(dataDir, { key: newKey });
      expect(storeContent(rekeyed)).toEqual(before);
      rekeyed.close();

      const status = cwb(['store', 'status', '--data-dir', dataDir, '--key-file', join(keyDir, 'new.key'), '--json']);
      expect(status.code, status.err).toBe(0);
      expect(JSON.parse(status.out)).toMatchObject({
        encrypted: true,
        cipher: stringMatching(/^sqlcipher/),
        keySource: `key file ${join(keyDir, 'new.key')}`,
        modes: { folder: '0700', [DATABASE_FILE]: '0600' },
      });
    },
  );

  it('refuses a key file others can read, one inside the data folder, and one that is not 64 hex digits', () => {
    const dataDir = fresh();
    const keyDir = fresh();
    writeKeyFile(join(keyDir, 'loose.key'), 0o644);
    chmodSync(join(keyDir, 'loose.key'), 0o644);
    expect(() => readKeyFile(join(keyDir, 'loose.key'), dataDir)).toThrow(
      new StoreError(
        `the key file ${join(keyDir, 'loose.key')} can be read by other users; run: chmod 600 ${join(keyDir, 'loose.key')}`,
      ),
    );
    writeKeyFile(join(dataDir, 'inside.key'));
    expect(() => readKeyFile(join(dataDir, 'inside.key'), dataDir)).toThrow(
      /lies inside the data folder; keep it elsewhere$/,
    );
    mkdirSync(join(dataDir, 'sub'));
    writeKeyFile(join(dataDir, 'sub', 'deeper.key'));
    expect(() => resolveStoreKey(dataDir, { keyFile: join(dataDir, 'sub', 'deeper.key') })).toThrow(
      /lies inside the data folder/,
    );
    const short = join(keyDir, 'short.key');
    writeFileSync(short, 'abc', { mode: 0o600 });
    expect(() => readKeyFile(short, dataDir)).toThrow(/must hold 64 hexadecimal digits/);
    const good = writeKeyFile(join(keyDir, 'good.key'));
    expect(Buffer.from(readKeyFile(join(keyDir, 'good.key'), dataDir))).toEqual(good);
  });

  it('resolves the key: key file, then the keyring (a new store gets a random key saved there), then a typed passphrase, else one line', () => {
    const dataDir = fresh();
    const keyDir = fresh();
    const fileKey = writeKeyFile(join(keyDir, 'k'));
    const keyring = fakeKeyring();
    const none = { env: {}, keyring, interactive: false };

    expect(resolveStoreKey(dataDir, { ...none, keyFile: join(keyDir, 'k') })).toMatchObject({
      key: fileKey,
      source: 'key file',
    });
    expect(resolveStoreKey(dataDir, { ...none, env: { CWB_KEY_FILE: join(keyDir, 'k') } })).toMatchObject({
      key: fileKey,
      source: 'key file',
    });

    const created = resolveStoreKey(dataDir, none);
    expect(created).toMatchObject({ source: 'OS keyring', created: true });
    expect(keyring.entries.get(dataDir)).toBe(Buffer.from(created.key as Uint8Array).toString('hex'));
    openDatabase(dataDir, { key: created.key }).close();
    expect(resolveStoreKey(dataDir, none)).toMatchObject({ key: created.key, source: 'OS keyring', created: false });

    // No keyring: a passphrase on a terminal, asked twice for a new store.
    const broken = fakeKeyring(true);
    const newDir = fresh();
    const asked: string[] = [];
    const answers = ['correct horse', 'correct horse'];
    const typed = resolveStoreKey(newDir, {
      env: {},
      keyring: broken,
      interactive: true,
      prompt: (q) => (asked.push(q), answers.shift()!),
    });
    expect(typed).toMatchObject({ key: 'correct horse', source: 'passphrase', created: true });
    expect(asked).toHaveLength(2);
    const differ = ['one', 'two'];
    expect(() =>
      resolveStoreKey(newDir, { env: {}, keyring: broken, interactive: true, prompt: () => differ.shift()! }),
    ).toThrow(/the two passphrases differ/);
    // An existing store is asked once and a key is never generated for it.
    expect(
      resolveStoreKey(dataDir, { env: {}, keyring: broken, interactive: true, prompt: () => 'once' }),
    ).toMatchObject({ key: 'once', created: false });
    expect(() => resolveStoreKey(dataDir, { env: {}, keyring: fakeKeyring(), interactive: false })).toThrow(
      new StoreError(
        `no key for the store in ${dataDir}: give --key-file FILE (or set CWB_KEY_FILE), unlock the OS keyring, or run in a terminal to type the passphrase`,
      ),
    );
  });

  it("never puts a new store's only key in a keyring that forgets (Linux keyutils), but reads a key already there", () => {
    const volatile = fakeKeyring(false, false);
    const newDir = fresh();
    expect(() => resolveStoreKey(newDir, { env: {}, keyring: volatile, interactive: false })).toThrow(
      /no key for the store/,
    );
    expect(volatile.entries.size).toBe(0);
    const typed = resolveStoreKey(newDir, {
      env: {},
      keyring: volatile,
      interactive: true,
      prompt: () => 'a passphrase',
    });
    expect(typed).toMatchObject({ source: 'passphrase', created: true });
    expect(volatile.entries.size).toBe(0);
    const desktopKey = Buffer.alloc(32, 7);
    volatile.set(newDir, desktopKey.toString('hex'));
    expect(resolveStoreKey(newDir, { env: {}, keyring: volatile, interactive: false })).toMatchObject({
      source: 'OS keyring',
      created: false,
    });
  });

  it.runIf(process.platform === 'linux')(
    'on Linux the OS keyring counts as one that forgets, so the command line refuses to create a store it could not reopen',
    () => {
      const data = fresh();
      const result = cwb(['import', join(repoRoot, 'docs/examples/ring.json'), '--data-dir', data], {
        env: { CWB_KEY_FILE: '' },
      });
      expect(result.code).toBe(2);
      expect(oneLine(result.err)).toEqual([expect.stringMatching(/^cwb: no key for the store in /)]);
      expect(existsSync(join(data, 'workbench.sqlite'))).toBe(false);
    },
  );

  it('creates the data folder 0700, tightens a looser one, and keeps the store files 0600', () => {
    const parent = fresh();
    const created = join(parent, 'new', 'data');
    const db = openDatabase(created, { key: testStoreKey() });
    db.prepare("INSERT INTO settings (key, value) VALUES ('x', '1')").run();
    expect(mode(created)).toBe(0o700);
    for (const suffix of ['', '-wal', '-shm']) expect(mode(join(created, DATABASE_FILE + suffix)), suffix).toBe(0o600);
    db.close();

    const loose = join(parent, 'loose');
    mkdirSync(loose, { mode: 0o755 });
    chmodSync(loose, 0o755);
    openDatabase(loose, { key: testStoreKey() }).close();
    expect(mode(loose)).toBe(0o700);
    expect(existsSync(join(loose, DATABASE_FILE))).toBe(true);
  });
});
