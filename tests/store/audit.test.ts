import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/store/db';
import {
  auditEntriesConcerning,
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  listAudit,
  osUser,
  recordAudit,
  sha256Of,
  verifyAudit,
} from '../../src-main/store/audit';
import { freshApp } from '../support/app';
import { ringNetwork, tempDir, picked } from '../support/fixtures';
import { testStoreKey } from '../support/store-key';
import { stringMatching } from '../support/matchers';

const dirs: Array<{ remove(): void }> = [];
const dbs: Db[] = [];
const fresh = () => {
  const dir = tempDir();
  dirs.push(dir);
  const db = openDatabase(dir.path, { key: testStoreKey() });
  dbs.push(db);
  return db;
};
afterEach(() => {
  dbs.splice(0).forEach((db) => db.close());
  dirs.splice(0).forEach((d) => d.remove());
});

const fill = (db: Db, n: number) => {
  for (let i = 1; i <= n; i++) {
    recordAudit(db, {
      action: 'import',
      subject: `dataset #${i} test`,
      fileName: `file-${i}.json`,
      sha256: 'ab'.repeat(32),
      details: { datasetId: i },
    });
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
    expect(verifyAudit(db)).toMatchObject({
      intact: true,
      entries: 3,
      head: { id: 3, hash: entries[0]!.hash },
      message: stringMatching(/^audit trail intact: 3 entries/),
    });
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
    const row = db.prepare('SELECT * FROM audit_log WHERE id = 2').get() as Parameters<typeof entryHash>[1] & {
      prev_hash: string;
      details: string;
    };
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
    // Checked against the noted head (id and hash, or 12+ hex digits of it), the removal is named.
    expect(verifyAudit(db, { id: remembered.id, hash: remembered.hash.slice(0, 12) })).toMatchObject({
      intact: false,
      broken: { id: 3, problem: 'truncated' },
    });
    expect(verifyAudit(db, { id: 2, hash: after.head!.hash }).intact).toBe(true);
  });

  it('finds the entries concerning runs, datasets and versions', () => {
    const db = fresh();
    recordAudit(db, { action: 'import', subject: 'dataset #1', details: { datasetId: 1, versionId: 1 } });
    recordAudit(db, { action: 'import', subject: 'dataset #2', details: { datasetId: 2, versionId: 2 } });
    recordAudit(db, { action: 'run-saved', subject: 'run #7', details: { runId: 7, versionId: 1 } });
    recordAudit(db, { action: 'export', subject: 'brief', details: { runIds: [7, 8] } });
    recordAudit(db, { action: 'export', subject: 'version #2', details: { versionId: 2 } });
    const since = '2000-01-01T00:00:00.000Z';
    expect(
      auditEntriesConcerning(db, {
        runs: [{ id: 7, since }],
        datasets: [{ id: 1, since }],
        versions: [{ id: 1, since }],
      }).map((e) => e.id),
    ).toEqual([1, 3, 4]);
    // A record made after the entries (an id reused once the first record was deleted) has none of them.
    expect(
      auditEntriesConcerning(db, { runs: [{ id: 7, since: '2999-01-01T00:00:00.000Z' }], datasets: [], versions: [] }),
    ).toEqual([]);
  });

  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
});

describe('what the app records', () => {
  let app: ReturnType<typeof freshApp> | undefined;
  afterEach(async () => {
    await app?.dispose();
    app = undefined;
  });
  const call = async (channel: string, input: unknown) => {
    const result = await app!.router.handle(channel, input);
    if (!result.ok) throw new Error(result.error.message);
    return result.value as never;
  };
  const entries = () => listAudit(app!.db, { limit: 1000 }).entries.reverse();

  it('imports with the file SHA-256, exports with their bytes, saved runs, briefs and deletions; nothing for refused actions', async () => {
    app = freshApp();
    const text = JSON.stringify(ringNetwork());
    const imported = (await call('datasets:import', picked(app, 'ring.json', text))) as {
      dataset: { id: number; sha256: string };
      versionId: number;
    };
    // Refused: the same file again (duplicate), and a file that is not a network: no entry.
    await expect(call('datasets:import', picked(app, 'ring.json', text))).rejects.toThrow();
    await expect(call('datasets:import', picked(app, 'bad.json', '{"format":"network@1"}'))).rejects.toThrow();
    expect(entries()).toHaveLength(1);
    expect(entries()[0]).toMatchObject({
      action: 'import',
      fileName: 'ring.json',
      sha256: sha256Of(text),
      details: { datasetId: imported.dataset.id, versionId: imported.versionId },
    });

    const exported = (await call('networks:export', { versionId: imported.versionId, format: 'csv' })) as {
      files: Array<{ fileName: string; content: string }>;
    };
    const exports = entries().filter((e) => e.action === 'export');
    expect(exports.map((e) => [e.fileName, e.sha256])).toEqual(
      exported.files.map((f) => [f.fileName, sha256Of(f.content)]),
    );
    expect(exports[0]!.subject).toBe(`network Ring of three v1 (version #${imported.versionId}) as CSV`);

    const run = await app.jobs.start('stress', {
      versionId: imported.versionId,
      shockModel: { kind: 'uniform', maxFraction: 0.5 },
      samples: 200,
      seed: 3,
    }).done;
    expect(run.status).toBe('succeeded');
    const saved = entries().find((e) => e.action === 'run-saved')!;
    expect(saved).toMatchObject({
      subject: stringMatching(new RegExp(`^run #${run.runId} \\(stress test\\)`)),
      details: { runId: run.runId, versionId: imported.versionId },
    });
    expect(saved.sha256).toMatch(/^[0-9a-f]{64}$/);

    await call('briefs:compose', { runIds: [run.runId], title: 'Ring brief' });
    const brief = (await call('briefs:export', { runIds: [run.runId], title: 'Ring brief', format: 'csv' })) as {
      file: { content: string };
    };
    const briefEntries = entries().filter((e) => e.details.runIds);
    expect(briefEntries.map((e) => e.actionLabel)).toEqual(['Brief composed', 'Exported']);
    expect(briefEntries[1]!.sha256).toBe(sha256Of(Buffer.from(brief.file.content, 'base64')));

    // Refused while a run uses the data: no entry; a dataset without runs: deleted and recorded.
    const before = entries().length;
    await expect(call('datasets:delete', { id: imported.dataset.id, confirm: true })).rejects.toThrow(/saved run/);
    expect(entries()).toHaveLength(before);
    const other = (await call(
      'datasets:import',
      picked(app, 'other.json', JSON.stringify(ringNetwork('Other ring'))),
    )) as { dataset: { id: number } };
    await call('datasets:delete', { id: other.dataset.id, confirm: true });
    expect(entries().at(-1)).toMatchObject({
      action: 'delete',
      actionLabel: 'Deleted',
      fileName: 'other.json',
      details: { datasetId: other.dataset.id },
    });

    expect(await call('audit:verify', {})).toMatchObject({ intact: true, entries: entries().length });
    const listed = (await call('audit:list', { limit: 2 })) as { entries: Array<{ id: number }>; total: number };
    expect(listed.entries.map((e) => e.id)).toEqual([entries().length, entries().length - 1]);
  });

  it('a holdings import that fails leaves no entry; one that succeeds records the file hash', async () => {
    app = freshApp();
    const good = 'investor,asset,date,amount\nI1,A1,2020-03-31,10\nI2,A1,2020-03-31,5\n';
    const bad = 'investor,asset,date,amount\nI1,A1,not-a-date,10\n';
    await expect(call('datasets:importHoldings', picked(app, 'bad.csv', bad))).rejects.toThrow();
    expect(entries()).toHaveLength(0);
    const result = (await call('datasets:importHoldings', picked(app, 'good.csv', good))) as { datasetId: number };
    expect(entries()).toEqual([
      expect.objectContaining({
        action: 'import',
        fileName: 'good.csv',
        sha256: sha256Of(good),
        details: { datasetId: result.datasetId },
      }),
    ]);
  });
});

describe('the audit trail in a brief', () => {
  it('lists the entries of the runs and their data, not others, with the state of the chain', async () => {
    const app = freshApp();
    try {
      const call = async (channel: string, input: unknown) => {
        const result = await app.router.handle(channel, input);
        if (!result.ok) throw new Error(result.error.message);
        return result.value as never;
      };
      const imported = (await call('datasets:import', picked(app, 'ring.json', JSON.stringify(ringNetwork())))) as {
        versionId: number;
      };
      await call('datasets:import', picked(app, 'unrelated.json', JSON.stringify(ringNetwork('Unrelated'))));
      await call('networks:export', { versionId: imported.versionId, format: 'network@1' });
      const run = await app.jobs.start('stress', {
        versionId: imported.versionId,
        shockModel: { kind: 'uniform', maxFraction: 0.5 },
        samples: 200,
        seed: 5,
      }).done;
      await call('briefs:export', { runIds: [run.runId], title: 'First', format: 'csv' });

      const plain = (await call('briefs:compose', { runIds: [run.runId], title: 'Plain' })) as { auditTrail?: unknown };
      expect(plain.auditTrail).toBeUndefined();
      const composed = (await call('briefs:compose', {
        runIds: [run.runId],
        title: 'With trail',
        includeAuditTrail: true,
      })) as { auditTrail: { title: string; columns: Array<{ label: string }>; rows: unknown[][]; note: string } };
      const table = composed.auditTrail;
      expect(table.columns.map((c) => c.label)).toEqual([
        'No.',
        'Time (UTC)',
        'User',
        'Action',
        'Subject',
        'File',
        'SHA-256 (first 12 hex)',
      ]);
      // The import, the version's export, the run's save, the brief exported and the earlier preview; not the unrelated import.
      expect(table.rows.map((row) => [row[3], row[5]])).toEqual([
        ['Imported', 'ring.json'],
        ['Exported', 'ring-of-three-v1.json'],
        ['Run saved', null],
        ['Exported', expect.stringMatching(/^first-runs-\d+-annex\.csv$/)],
        ['Brief composed', null],
      ]);
      expect(JSON.stringify(table.rows)).not.toContain('unrelated.json');
      expect(table.note).toMatch(/The whole trail was intact when the brief was composed: \d+ entries/);

      const { renderBrief } = await import('../../src-main/io/briefs/render');
      const { pdfPageTexts } = await import('../briefs/support');
      const pages = await pdfPageTexts(await renderBrief(composed as never, 'pdf'));
      expect(pages.at(-1)).toMatch(/Audit trail/);
      expect(pages.at(-1)).toMatch(/ring\.json/);
      // The annex carries it too, as a table of the whole brief (no run).
      const csv = new TextDecoder().decode(await renderBrief(composed as never, 'csv'));
      expect(csv).toMatch(/^,Audit trail,Entries concerning these runs and their data,1,File,,ring\.json$/m);
    } finally {
      await app.dispose();
    }
  });
});
