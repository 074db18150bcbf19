import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/store/db';
import { auditEntriesConcerning, canonicalJson, entryHash, GENESIS_HASH, listAudit, osUser, recordAudit, verifyAudit } from '../../src-main/store/audit';
import { tempDir } from '../support/fixtures';

const dirs: Array<{ remove(): void }> = [];
const dbs: Db[] = [];
const fresh = () => {
  const dir = tempDir();
  dirs.push(dir);
  const db = openDatabase(dir.path);
  dbs.push(db);
  return db;
};
afterEach(() => {
  dbs.splice(0).forEach((db) => db.close());
  dirs.splice(0).forEach((d) => d.remove());
});

const fill = (db: Db, n: number) => {
  for (let i = 1; i <= n; i++) {
    recordAudit(db, { action: 'import', subject: `dataset #${i} test`, fileName: `file-${i}.json`, sha256: 'ab'.repeat(32), details: { datasetId: i } });
  }
};

/** Test-only tampering: drop the append-only triggers, as someone with write access to the file could. */
const dropTriggers = (db: Db) => db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');

describe('audit trail', () => {
  it('chains every entry from the genesis value and lists newest first', () => {
    const db = fresh();
    fill(db, 3);
    const { entries, total } = listAudit(db);
    expect(total).toBe(3);
    expect(entries.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(entries[2]!.prevHash).toBe(GENESIS_HASH);
    expect(entries[1]!.prevHash).toBe(entries[2]!.hash);
    expect(entries[0]!.actionLabel).toBe('Imported');
    expect(entries[0]!.osUser).toBe(osUser());
    expect(entries[0]!.details).toEqual({ datasetId: 3 });
    expect(listAudit(db, { limit: 1, before: 3 }).entries.map((e) => e.id)).toEqual([2]);
    expect(verifyAudit(db)).toMatchObject({ intact: true, entries: 3, head: { id: 3, hash: entries[0]!.hash }, message: expect.stringMatching(/^audit trail intact: 3 entries/) });
  });

  it('refuses UPDATE and DELETE through its triggers', () => {
    const db = fresh();
    fill(db, 2);
    expect(() => db.prepare("UPDATE audit_log SET details = '{}' WHERE id = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE id = 2').run()).toThrow(/append-only/);
    expect(verifyAudit(db).intact).toBe(true);
  });

  it('leaves no entry when the transaction it was written in rolls back', () => {
    const db = fresh();
    fill(db, 1);
    expect(() =>
      db.transaction(() => {
        recordAudit(db, { action: 'delete', subject: 'dataset #1 test', details: { datasetId: 1 } });
        throw new Error('the change failed');
      })(),
    ).toThrow(/the change failed/);
    expect(listAudit(db).total).toBe(1);
    expect(verifyAudit(db).intact).toBe(true);
  });

  it('names an entry whose details were changed', () => {
    const db = fresh();
    fill(db, 4);
    dropTriggers(db);
    db.prepare('UPDATE audit_log SET details = ? WHERE id = 2').run(canonicalJson({ datasetId: 99 }));
    const result = verifyAudit(db);
    expect(result).toMatchObject({ intact: false, broken: { id: 2, problem: 'changed' } });
    expect(result.message).toBe('audit trail broken: entry 2 was changed after it was written');
  });

  it('names an entry rewritten with a recomputed hash by the break in the next link', () => {
    const db = fresh();
    fill(db, 3);
    dropTriggers(db);
    db.prepare("UPDATE audit_log SET subject = 'forged', hash = ? WHERE id = 2").run('f'.repeat(64));
    expect(verifyAudit(db).broken).toMatchObject({ id: 2, problem: 'changed' });
    // A forger who recomputes entry 2's hash still breaks entry 3's link.
    const row = db.prepare('SELECT * FROM audit_log WHERE id = 2').get() as Parameters<typeof entryHash>[1] & { prev_hash: string; details: string };
    const hash = entryHash(row.prev_hash, { ...row, details: JSON.parse(row.details) as unknown });
    db.prepare('UPDATE audit_log SET hash = ? WHERE id = 2').run(hash);
    expect(verifyAudit(db)).toMatchObject({ intact: false, broken: { id: 3, problem: 'relinked' } });
  });

  it('names a removed middle entry by the gap in the ids', () => {
    const db = fresh();
    fill(db, 5);
    dropTriggers(db);
    db.prepare('DELETE FROM audit_log WHERE id = 3').run();
    const result = verifyAudit(db);
    expect(result).toMatchObject({ intact: false, broken: { id: 3, problem: 'missing' } });
    expect(result.message).toMatch(/entry 3 is missing \(entry 4 follows entry 2\)/);
  });

  it('truncation of the tail is detectable only against a remembered head', () => {
    const db = fresh();
    fill(db, 4);
    const remembered = verifyAudit(db).head!;
    dropTriggers(db);
    db.prepare('DELETE FROM audit_log WHERE id > 2').run();
    const after = verifyAudit(db);
    expect(after.intact).toBe(true); // the shorter chain is consistent in itself
    expect(after.head).not.toEqual(remembered); // …but its head is not the one the supervisor noted
    expect(after.entries).toBe(2);
  });

  it('finds the entries concerning runs, datasets and versions', () => {
    const db = fresh();
    recordAudit(db, { action: 'import', subject: 'dataset #1', details: { datasetId: 1, versionId: 1 } });
    recordAudit(db, { action: 'import', subject: 'dataset #2', details: { datasetId: 2, versionId: 2 } });
    recordAudit(db, { action: 'run-saved', subject: 'run #7', details: { runId: 7, versionId: 1 } });
    recordAudit(db, { action: 'export', subject: 'brief', details: { runIds: [7, 8] } });
    recordAudit(db, { action: 'export', subject: 'version #2', details: { versionId: 2 } });
    expect(auditEntriesConcerning(db, { runIds: [7], datasetIds: [1], versionIds: [1] }).map((e) => e.id)).toEqual([1, 3, 4]);
  });

  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
  });
});
