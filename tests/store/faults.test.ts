import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src-main/app';
import { storeImportedDataset } from '../../src-main/api/services';
import { importFile } from '../../src-main/io/importers';
import { seedSamples } from '../../src-main/api/samples';
import { DATABASE_FILE, openDatabase } from '../../src-main/store/db';
import { datasets, networks, settings } from '../../src-main/store/repositories';
import { bundledSample, readBytes, ringNetwork, tempDir } from '../support/fixtures';
import { cwb } from '../support/store';
import { testStoreKey } from '../support/store-key';

const dirs: Array<{ path: string; remove(): void }> = [];
const fresh = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    chmodTree(dir.path, 0o700);
    dir.remove();
  }
});

function chmodTree(dir: string, mode: number) {
  if (!existsSync(dir)) return;
  chmodSync(dir, mode);
  for (const name of readdirSync(dir)) chmodSync(join(dir, name), mode);
}

const EBA = 'eba-2011-disclosure.csv';
const ebaBytes = () => readBytes(bundledSample(EBA));

describe('faults of the store', () => {
  it(
    'opens a read-only data folder read-only: cwb list works, a write is refused in one line and the store is unchanged',
    { timeout: 180_000 },
    async () => {
      const dataDir = fresh();
      const app = createApp({ dataDir, transport: 'cli', key: testStoreKey() });
      seedSamples(app.db);
      await app.close();
      const before = readFileSync(join(dataDir, DATABASE_FILE));
      const network = join(fresh(), 'ring.json');
      writeFileSync(network, JSON.stringify(ringNetwork()));
      chmodSync(network, 0o644);
      chmodSync(join(network, '..'), 0o755);

      // Root may write anywhere, so as root the folder is handed to an unprivileged user (nobody) with its key.
      const asRoot = process.getuid?.() === 0;
      const user = asRoot ? { uid: 65534, gid: 65534 } : {};
      let keyFile = process.env.CWB_KEY_FILE!;
      if (asRoot) {
        const keyDir = mkdtempSync(join(tmpdir(), 'cwb-nobody-key-'));
        dirs.push({ path: keyDir, remove: () => rmSync(keyDir, { recursive: true, force: true }) });
        keyFile = join(keyDir, 'store.key');
        copyFileSync(process.env.CWB_KEY_FILE!, keyFile);
        for (const path of [keyDir, keyFile, dataDir, join(dataDir, DATABASE_FILE)]) chownSync(path, 65534, 65534);
      }
      chmodSync(join(dataDir, DATABASE_FILE), 0o400);
      chmodSync(dataDir, 0o500);

      const env = { CWB_KEY_FILE: keyFile };
      const list = cwb(['list', '--data-dir', dataDir], { env, ...user });
      expect(list.code, list.err).toBe(0);
      expect(list.out).toMatch(/dataset 1 {2}EBA 2011/);
      const write = cwb(['import', network, '--data-dir', dataDir], { env, ...user });
      expect(write.code).toBe(2);
      expect(write.err.trim().split('\n')).toEqual([`cwb: the store in ${dataDir} is read-only`]);
      expect(readFileSync(join(dataDir, DATABASE_FILE)).equals(before)).toBe(true);
      expect(readdirSync(dataDir)).toEqual([DATABASE_FILE]);
    },
  );

  it(
    'waits for a store another writer holds, then says it is busy in one line (exit 1) and changes nothing',
    { timeout: 180_000 },
    () => {
      const dataDir = fresh();
      const holder = openDatabase(dataDir, { key: testStoreKey() });
      const network = join(fresh(), 'ring.json');
      writeFileSync(network, JSON.stringify(ringNetwork()));
      holder.exec('BEGIN IMMEDIATE');
      try {
        const result = cwb(['import', network, '--data-dir', dataDir]);
        expect(result.code).toBe(1);
        expect(result.err.trim().split('\n')).toEqual([
          'cwb: the store is busy (another Contagion Workbench is writing); try again',
        ]);
      } finally {
        holder.exec('ROLLBACK');
      }
      expect(datasets.list(holder)).toEqual([]);
      holder.close();
    },
  );

  it('repairs a seeding that an older version left half-way, and seeds a fresh store in one go', () => {
    const dataDir = fresh();
    const db = openDatabase(dataDir, { key: testStoreKey() });
    // An older start killed between importing the sample and adding its maximum-entropy version: no flag either.
    storeImportedDataset(db, importFile(EBA, ebaBytes()), EBA);
    expect(networks.list(db)[0]!.versions).toHaveLength(1);
    const repaired = seedSamples(db);
    expect(repaired).toHaveLength(1);
    const [network] = networks.list(db);
    expect(network!.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(network!.versions[1]!.note).toMatch(/^maximum-entropy reconstruction of v1/);
    expect(settings.get(db, 'samples.seeded')).toBe(true);
    expect(seedSamples(db)).toEqual([]);
    expect(datasets.list(db)).toHaveLength(1);
    db.close();

    const other = openDatabase(fresh(), { key: testStoreKey() });
    const [versionId] = seedSamples(other);
    expect(networks.list(other)[0]!.versions.map((v) => v.id)).toContain(versionId);
    expect(seedSamples(other)).toEqual([]);
    other.close();
  });

  it('seeds nothing when the seeding fails half-way (one transaction)', async () => {
    vi.resetModules();
    vi.doMock('../../src-main/api/services', async (original) => ({
      ...(await original<typeof import('../../src-main/api/services')>()),
      maxEntropyVersion: () => {
        throw new Error('killed');
      },
    }));
    try {
      const { seedSamples: failingSeed } = await import('../../src-main/api/samples');
      const db = openDatabase(fresh(), { key: testStoreKey() });
      expect(() => failingSeed(db)).toThrow('killed');
      expect(datasets.list(db)).toEqual([]);
      expect(settings.get(db, 'samples.seeded')).toBeUndefined();
      db.close();
    } finally {
      vi.doUnmock('../../src-main/api/services');
      vi.resetModules();
    }
  });

  it('removes what a crash left in the data folder at the next start, and nothing else', async () => {
    const dataDir = fresh();
    openDatabase(dataDir, { key: testStoreKey() }).close();
    mkdirSync(join(dataDir, 'upload-x1Y2z3'));
    writeFileSync(
      join(dataDir, 'upload-x1Y2z3', 'holdings.csv'),
      'investor,asset,date,amount\nSecret Fund,A,2024-01-01,1\n',
    );
    writeFileSync(join(dataDir, `${DATABASE_FILE}.tmp-0a1b2c3d4e5f`), 'half an encrypted copy');
    writeFileSync(join(dataDir, 'notes.txt'), 'mine');
    const app = createApp({ dataDir, transport: 'cli', key: testStoreKey() });
    await app.close();
    expect(
      readdirSync(dataDir)
        .filter((name) => !name.startsWith(`${DATABASE_FILE}-`))
        .sort(),
    ).toEqual(['notes.txt', DATABASE_FILE]);
  });
});
