import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MARKING } from '../../src-shared/briefs';
import { crossHoldingColumnSums, economyDocumentSchema } from '../../src-shared/formats/crossholdings';
import { freshApp } from '../support/app';
import { smallEconomy } from '../support/economy';
import { picked } from '../support/fixtures';
import { objectContaining } from '../support/matchers';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

const problems = (doc: unknown) => {
  const parsed = economyDocumentSchema.safeParse(doc);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('crossholdings@1', () => {
  it('accepts a valid economy and computes column sums of C', () => {
    expect(problems(smallEconomy())).toEqual([]);
    expect(crossHoldingColumnSums(smallEconomy())).toEqual(new Map([['F3', 0.5]]));
  });

  it('refuses self-holdings, unknown firms, duplicate pairs and column sums of 1 or more', () => {
    const doc = smallEconomy();
    doc.crossHoldings.push({ holder: 'F1', issuer: 'F1', share: 0.1 });
    doc.crossHoldings.push({ holder: 'F9', issuer: 'F2', share: 0.1 });
    doc.crossHoldings.push({ holder: 'F1', issuer: 'F3', share: 0.6 });
    const found = problems(doc);
    expect(found).toContain('crossHoldings.2: firm "F1" cannot hold itself (C_ii = 0)');
    expect(found).toContain('crossHoldings.3.holder: unknown firm "F9"');
    expect(found).toContain('crossHoldings.4: second entry for holder "F1" and issuer "F3"');
    expect(found.some((p) => p.includes('shares of firm "F3" held by other firms sum to 1.1'))).toBe(true);
  });

  it('imports, versions and exports an economy through the store, and keeps it apart from interbank networks', async () => {
    app = freshApp();
    const imported = await app.router.handle(
      'datasets:import',
      picked(app, 'economy.json', JSON.stringify(smallEconomy())),
    );
    if (!imported.ok) throw new Error(imported.error.message);
    const { versionId, networkId, dataset } = imported.value as {
      versionId: number;
      networkId: number;
      dataset: { kind: string };
    };
    expect(dataset.kind).toBe('economy');
    const loaded = await app.router.handle('economies:get', { versionId });
    expect(loaded.ok && (loaded.value as { document: unknown }).document).toEqual(smallEconomy());

    const changed = { ...smallEconomy(), firms: smallEconomy().firms.map((f) => ({ ...f, threshold: 60 })) };
    const saved = await app.router.handle('economies:saveVersion', {
      networkId,
      note: 'higher thresholds',
      document: changed,
    });
    expect(saved).toMatchObject({ ok: true, value: { version: 2 } });
    const tooMuch = {
      ...smallEconomy(),
      crossHoldings: [
        { holder: 'F1', issuer: 'F3', share: 0.7 },
        { holder: 'F2', issuer: 'F3', share: 0.3 },
      ],
    };
    const refused = await app.router.handle('economies:saveVersion', { networkId, note: 'x', document: tooMuch });
    expect(refused.ok === false && refused.error.message).toMatch(/sum to 1/);

    const exported = await app.router.handle('networks:export', { versionId, format: 'network@1' });
    // The export carries the classification marking as `metadata` (docs/formats.md); the economy is unchanged.
    expect(
      exported.ok && JSON.parse((exported.value as { files: Array<{ content: string }> }).files[0]!.content),
    ).toEqual({ ...smallEconomy(), metadata: objectContaining({ marking: DEFAULT_MARKING }) });
    const asNetwork = await app.router.handle('networks:get', { versionId });
    expect(asNetwork.ok === false && asNetwork.error.message).toMatch(
      /cross-holdings economy, not an interbank network/,
    );
    const stress = await app.router.handle('jobs:start', {
      kind: 'stress',
      params: { versionId, shockModel: { kind: 'uniform' }, samples: 100, seed: 1 },
    });
    expect(stress.ok === false && stress.error.message).toMatch(/not an interbank network/);
  });
});
