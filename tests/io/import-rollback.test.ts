import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MARKING } from '../../src-shared/briefs';
import type { Db } from '../../src-main/store/db';
import { freshApp } from '../support/app';
import { ringNetwork, bundledSample, picked } from '../support/fixtures';
import { objectContaining } from '../support/matchers';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

function counts(db: Db) {
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { datasets: count('datasets'), networks: count('networks'), versions: count('network_versions') };
}

describe('imports are all-or-nothing', () => {
  it('a bad row refuses the whole file, names it, and leaves the store unchanged', async () => {
    app = freshApp();
    await app.router.handle('datasets:import', picked(app, 'good.json', JSON.stringify(ringNetwork())));
    const before = counts(app.db);
    const bad = ringNetwork('bad');
    bad.liabilities.push({ debtor: 'A', creditor: 'Z', amount: 4 });
    bad.liabilities.push({ debtor: 'B', creditor: 'B', amount: 1 });
    const result = await app.router.handle('datasets:import', picked(app, 'bad.json', JSON.stringify(bad)));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('import_failed');
    // One line: the first problem in words, and how many more.
    expect(result.error.message).toBe(
      'bad.json: liability 4, creditor: unknown node id "Z" — "Z" (and 1 more problem)',
    );
    expect(counts(app.db)).toEqual(before);
  });

  it('refuses negative amounts and duplicate pairs', async () => {
    app = freshApp();
    const doc = ringNetwork();
    doc.liabilities[0]!.amount = -1;
    doc.liabilities.push({ debtor: 'B', creditor: 'C', amount: 2 });
    const result = await app.router.handle('datasets:import', picked(app, 'x.json', JSON.stringify(doc)));
    expect(result.ok === false && result.error.message).toMatch(
      /^x\.json: liability 1, amount: must be ≥ 0 — "-1" \(and 1 more problem\)$/,
    );
    expect(counts(app.db)).toEqual({ datasets: 0, networks: 0, versions: 0 });
  });

  it('detects the same file imported twice and keeps the first', async () => {
    app = freshApp();
    const payload = picked(app, 'eba.csv', readFileSync(bundledSample('eba-2011-disclosure.csv')));
    const first = await app.router.handle('datasets:import', payload);
    expect(first.ok).toBe(true);
    const second = await app.router.handle('datasets:import', { ...payload, fileName: 'renamed.csv' });
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(second.ok === false && second.error.message).toMatch(/already imported as dataset 1/);
    expect(counts(app.db)).toEqual({ datasets: 1, networks: 1, versions: 1 });
  });

  it('a failure inside the transaction rolls back what was written before it', async () => {
    app = freshApp();
    // Make the version insert fail after the dataset and network rows were written.
    app.db.exec(
      `CREATE TRIGGER fail_versions BEFORE INSERT ON network_versions BEGIN SELECT RAISE(ABORT, 'disk full'); END;`,
    );
    const result = await app.router.handle('datasets:import', picked(app, 'ring.json', JSON.stringify(ringNetwork())));
    expect(result.ok).toBe(false);
    expect(counts(app.db)).toEqual({ datasets: 0, networks: 0, versions: 0 });
  });

  it('network@1 JSON round-trips losslessly through the store', async () => {
    app = freshApp();
    const original = ringNetwork();
    original.nodes[0] = { ...original.nodes[0]!, defaultProbability: 0.02, totalAssets: null, group: 'X' };
    const imported = await app.router.handle('datasets:import', picked(app, 'r.json', JSON.stringify(original)));
    if (!imported.ok) throw new Error(imported.error.message);
    const { versionId } = imported.value as { versionId: number };
    const exported = await app.router.handle('networks:export', { versionId, format: 'network@1' });
    if (!exported.ok) throw new Error(exported.error.message);
    const { files } = exported.value as { files: Array<{ content: string }> };
    expect(files).toHaveLength(1);
    // The export carries the classification marking as `metadata` (docs/formats.md); the network is unchanged.
    expect(JSON.parse(files[0]!.content)).toEqual({
      ...original,
      metadata: objectContaining({ marking: DEFAULT_MARKING }),
    });
    for (const format of ['csv', 'graphml', 'xlsx'] as const) {
      const other = await app.router.handle('networks:export', { versionId, format });
      expect(other.ok, format).toBe(true);
    }
  });
});

describe('holdings uploads', () => {
  it('streams an uploaded holdings CSV into the store and shows its summary by date', async () => {
    app = freshApp();
    const csv =
      'investor,asset,date,amount\nF1,BOND-A,2024-03-31,10\nF1,BOND-B,2024-03-31,5\nF2,BOND-A,2024-06-30,7.5\n';
    const result = await app.router.handle('datasets:importHoldings', picked(app, 'h.csv', csv));
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({ investors: 2, assets: 2, positions: 3 });
    const detail = await app.router.handle('datasets:get', { id: (result.value as { datasetId: number }).datasetId });
    if (!detail.ok) throw new Error(detail.error.message);
    const holdings = (
      detail.value as { holdings: { perDate: Array<{ date: string; positions: number; totalAmount: number }> } }
    ).holdings;
    expect(holdings.perDate).toEqual([
      { date: '2024-03-31', positions: 2, totalAmount: 15 },
      { date: '2024-06-30', positions: 1, totalAmount: 7.5 },
    ]);
    const bad = await app.router.handle(
      'datasets:importHoldings',
      picked(app, 'bad.csv', 'investor,asset,date,amount\nF1,A,2024-03-31,-2\n'),
    );
    expect(bad.ok === false && bad.error.message).toMatch(/row 2/);
    expect((await app.router.handle('datasets:list', {})).ok && counts(app.db).datasets).toBe(1);
  });
});
