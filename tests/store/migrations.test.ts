import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion } from '../../src-main/store/db';
import { migrations } from '../../src-main/store/migrations';
import { isRunOf } from '../../src-shared/domain';
import { networks, datasets, runs } from '../../src-main/store/repositories';
import { listAudit, recordRunSaved, verifyAudit } from '../../src-main/store/audit';
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
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as Array<{ name: string }>
    ).map((t) => t.name);
    for (const table of [
      'datasets',
      'networks',
      'network_versions',
      'investors',
      'assets',
      'positions',
      'scenarios',
      'runs',
      'models',
      'briefs',
    ]) {
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
    expect((db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(
      migrations.length,
    );
    db.close();
  });

  it('refuses migration lists with gaps in the numbering', () => {
    const db = openDatabase(fresh(), { key: testStoreKey() });
    expect(() => migrate(db, [...migrations, { version: migrations.length + 2, name: 'gap', sql: '' }])).toThrow(
      /1, 2, 3/,
    );
    db.close();
  });

  it('rolls a failing migration back whole', () => {
    const db = openDatabase(fresh(), { key: testStoreKey() });
    const broken = {
      version: migrations.length + 1,
      name: 'broken',
      sql: 'CREATE TABLE extra (x); INSERT INTO nowhere VALUES (1);',
    };
    expect(() => migrate(db, [...migrations, broken])).toThrow();
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toBeUndefined();
    db.close();
  });

  it('opens a store with a run saved under an old kind name and reads it under the new one (migration 4)', () => {
    const dir = fresh();
    const old = openDatabase(dir, { key: testStoreKey(), migrations: migrations.slice(0, 3) });
    const runId = runs.insertFinished(old, {
      kind: 'gtTrain',
      method: 'graph transformer',
      networkVersionId: null,
      params: { datasetId: 1 },
      seed: 1,
      status: 'succeeded',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 5,
      softwareVersion: '0.1.0',
      results: { epochs: 3 },
    });
    recordRunSaved(old, {
      id: runId,
      kind: 'gtTrain',
      method: 'graph transformer',
      networkVersionId: null,
      params: { datasetId: 1 },
    });
    const stress = runs.insertFinished(old, {
      kind: 'stress',
      method: 'clearing',
      networkVersionId: null,
      params: {},
      seed: 2,
      status: 'succeeded',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 5,
      softwareVersion: '0.1.0',
      results: {},
    });
    const auditBefore = listAudit(old).entries;
    old.close();
    const db = openDatabase(dir, { key: testStoreKey() });
    expect(schemaVersion(db)).toBe(migrations.length);
    const run = runs.get(db, runId);
    expect(run.kind).toBe('gt-train');
    expect(isRunOf(run, 'gt-train') && run.results.epochs).toBe(3);
    expect(runs.list(db, 'gt-train').map((r) => r.id)).toEqual([runId]);
    expect(runs.list(db, 'gtTrain')).toEqual([]);
    expect(runs.get(db, stress).kind).toBe('stress');
    // the audit trail is hash-chained and append-only: its entries stay exactly as written
    expect(listAudit(db).entries).toEqual(auditBefore);
    expect(verifyAudit(db).intact).toBe(true);
    db.close();
  });

  it('never overwrites a saved network version', () => {
    const db = openDatabase(fresh(), { key: testStoreKey() });
    const dataset = datasets.insert(db, {
      name: 'd',
      kind: 'network',
      sourceFile: 'f.json',
      sha256: 'x',
      report: { importer: 't', kept: 3, skipped: [], notes: [] },
    });
    const networkId = networks.insert(db, { datasetId: dataset.id, name: 'n', kind: 'interbank' });
    const first = networks.addVersion(db, networkId, ringNetwork(), 'first');
    const second = networks.addVersion(db, networkId, { ...ringNetwork(), name: 'changed' }, 'second');
    expect(second.version).toBe(first.version + 1);
    expect(() => db.prepare("UPDATE network_versions SET note = 'x' WHERE id = ?").run(first.versionId)).toThrow(
      /never overwritten/,
    );
    expect(networks.getVersion(db, first.versionId).document.name).toBe('Ring of three');
    db.close();
  });
});
