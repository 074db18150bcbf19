import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion } from '../../src-main/store/db';
import { migrations } from '../../src-main/store/migrations';
import { networks, datasets } from '../../src-main/store/repositories';
import { ringNetwork, tempDir } from '../support/fixtures';
import { testStoreKey } from '../support/store-key';

const dirs: Array<{ remove(): void }> = [];
const fresh = () => {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
};
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

describe('migrations', () => {
  it('builds the schema from empty and records every migration', () => {
    const db = openDatabase(fresh(), { key: testStoreKey() });
    expect(schemaVersion(db)).toBe(migrations.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{ name: string }>).map(
      (t) => t.name,
    );
    for (const table of ['datasets', 'networks', 'network_versions', 'investors', 'assets', 'positions', 'scenarios', 'runs', 'models', 'briefs']) {
      expect(tables).toContain(table);
    }
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('is idempotent: reopening applies nothing twice', () => {
    const dir = fresh();
    openDatabase(dir, { key: testStoreKey() }).close();
    const db = openDatabase(dir, { key: testStoreKey() });
    expect(migrate(db)).toBe(migrations.length);
    expect((db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(migrations.length);
    db.close();
  });

  it('refuses migration lists with gaps in the numbering', () => {
    const db = openDatabase(fresh(), { key: testStoreKey() });
    expect(() => migrate(db, [...migrations, { version: migrations.length + 2, name: 'gap', sql: '' }])).toThrow(/1, 2, 3/);
    db.close();
  });

  it('rolls a failing migration back whole', () => {
    const db = openDatabase(fresh(), { key: testStoreKey() });
    const broken = { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);' };
    expect(() => migrate(db, [...migrations, broken])).toThrow();
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    db.close();
  });

  it('never overwrites a saved network version', () => {
    const db = openDatabase(fresh(), { key: testStoreKey() });
    const dataset = datasets.insert(db, {
      name: 'd', kind: 'network', sourceFile: 'f.json', sha256: 'x', report: { importer: 't', kept: 3, skipped: [], notes: [] },
    });
    const networkId = networks.insert(db, { datasetId: dataset.id, name: 'n', kind: 'interbank' });
    const first = networks.addVersion(db, networkId, ringNetwork(), 'first');
    const second = networks.addVersion(db, networkId, { ...ringNetwork(), name: 'changed' }, 'second');
    expect(second.version).toBe(first.version + 1);
    expect(() => db.prepare("UPDATE network_versions SET note = 'x' WHERE id = ?").run(first.versionId)).toThrow(/never overwritten/);
    expect(networks.getVersion(db, first.versionId).document.name).toBe('Ring of three');
    db.close();
  });
});
