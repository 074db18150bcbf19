import { afterEach, describe, expect, it } from 'vitest';
import { freshApp } from '../support/app';
import { bundledSample, readBytes, picked } from '../support/fixtures';
import { listAudit } from '../../src-main/store/audit';
import { networks, runs } from '../../src-main/store/repositories';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

async function ok<T>(channel: Parameters<typeof app.router.handle>[0], payload: unknown): Promise<T> {
  const result = await app.router.handle(channel, payload);
  if (!result.ok) throw new Error(result.error.message);
  return result.value as T;
}

async function importEba() {
  const bytes = readBytes(bundledSample('eba-2011-disclosure.csv'));
  return ok<{ dataset: { id: number }; networkId: number; versionId: number }>(
    'datasets:import',
    picked(app, 'eba.csv', bytes),
  );
}

function saveRun(versionId: number) {
  return runs.insertFinished(app.db, {
    kind: 'gt-train',
    method: 'graph transformer, 3 layers',
    networkVersionId: versionId,
    params: {},
    seed: 1,
    status: 'succeeded',
    startedAt: '2026-01-02T03:04:05.000Z',
    durationMs: 5,
    softwareVersion: '0.1.0',
    results: {},
  });
}

describe('renaming and deleting what the user keeps', () => {
  it('a second identical maximum-entropy build opens the version already stored', async () => {
    app = freshApp();
    const { versionId, networkId } = await importEba();
    const first = await ok<{ versionId: number; existing: boolean }>('networks:maxEntropy', { versionId });
    const second = await ok<{ versionId: number; existing: boolean }>('networks:maxEntropy', { versionId });
    expect(first.existing).toBe(false);
    expect(second).toMatchObject({ versionId: first.versionId, existing: true });
    expect(networks.get(app.db, networkId).versions).toHaveLength(2);
  });

  it('refuses to delete a version a run uses, naming the run in words; deletes it once the run is gone', async () => {
    app = freshApp();
    const { versionId, networkId, dataset } = await importEba();
    const { versionId: maxent } = await ok<{ versionId: number }>('networks:maxEntropy', { versionId });
    const runId = saveRun(maxent);
    const refused = await app.router.handle('versions:delete', { versionId: maxent, confirm: true });
    expect(refused.ok === false && refused.error.message).toBe(
      `EBA 2011 stress test v2 is used by 1 saved run (#${runId} (graph-transformer training)); delete that run first`.replace(
        'EBA 2011 stress test',
        networks.get(app.db, networkId).name,
      ),
    );
    const datasetRefused = await app.router.handle('datasets:delete', { id: dataset.id, confirm: true });
    expect(datasetRefused.ok).toBe(false);

    await ok('runs:rename', { id: runId, name: 'Q3 baseline' });
    expect(runs.list(app.db)[0]!.name).toBe('Q3 baseline');
    await ok('runs:rename', { id: runId, name: '  ' });
    expect(runs.list(app.db)[0]!.name).toBeNull();
    expect(await ok('runs:dependents', { id: runId })).toEqual({ models: [], briefs: [] });
    await ok('runs:delete', { id: runId, confirm: true });
    expect(runs.list(app.db)).toHaveLength(0);
    expect(await ok('versions:delete', { versionId: maxent, confirm: true })).toEqual({
      deleted: maxent,
      networkDeleted: false,
    });
    expect(networks.get(app.db, networkId).versions.map((v) => v.id)).toEqual([versionId]);
    // The last version takes its network with it; the dataset stays until deleted.
    expect(await ok('versions:delete', { versionId, confirm: true })).toEqual({
      deleted: versionId,
      networkDeleted: true,
    });
    expect(networks.list(app.db)).toHaveLength(0);
    await ok('datasets:delete', { id: dataset.id, confirm: true });
    const actions = listAudit(app.db).entries.map((e) => `${e.action} ${e.subject}`);
    expect(actions.filter((a) => a.startsWith('delete'))).toHaveLength(4);
    expect(actions.some((a) => a.startsWith('rename run #'))).toBe(true);
  });

  it('renames datasets and networks (all their versions), refusing an empty name in words', async () => {
    app = freshApp();
    const { versionId, networkId, dataset } = await importEba();
    expect((await ok<{ name: string }>('datasets:rename', { id: dataset.id, name: ' EBA 2011 ' })).name).toBe(
      'EBA 2011',
    );
    expect((await ok<{ name: string }>('networks:rename', { networkId, name: 'EBA banks' })).name).toBe('EBA banks');
    expect(networks.getStoredVersion(app.db, versionId).network.name).toBe('EBA banks');
    const empty = await app.router.handle('datasets:rename', { id: dataset.id, name: '' });
    expect(empty.ok === false && empty.error.message).toBe('Name must not be empty');
  });

  it('stores the sample economy once; asking again opens it', async () => {
    app = freshApp();
    const first = await ok<{ datasetId: number; versionId: number; created: boolean }>('samples:add', {
      name: 'crossholdings-economy',
    });
    const again = await ok<{ datasetId: number; versionId: number; created: boolean }>('samples:add', {
      name: 'crossholdings-economy',
    });
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    const economy = networks.getEconomyVersion(app.db, first.versionId).document;
    expect(economy.firms).toHaveLength(40);
    expect(economy.crossHoldings.length).toBeGreaterThan(100);
  });
});
