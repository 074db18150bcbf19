/** `firesales:simulate` saves the equilibrium as a run of kind "firesale" and returns its id with the outcome. */
import { afterEach, describe, expect, it } from 'vitest';
import type { FireSaleDocument } from '../../src-shared/formats/firesale';
import { runKindLabel } from '../../src-shared/briefs';
import { runLabel } from '../../src-shared/format/labels';
import type { FireSaleOutcome, FireSaleRunResults } from '../../src-shared/results/fire-sales';
import { freshApp } from '../support/app';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

async function example(name: 'case1-linear' | 'case2-cross'): Promise<FireSaleDocument> {
  const loaded = await app.router.handle('firesales:example', { name });
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value as FireSaleDocument;
}

describe('firesales:simulate', () => {
  it('saves the equilibrium as a run with the system as given, and returns its id with the outcome', async () => {
    app = freshApp();
    const system = { ...(await example('case2-cross')), scenario: { liabilities: { 'bank 1': 0.8, 'bank 2': 0.7 } } };
    const simulated = await app.router.handle('firesales:simulate', { system });
    expect(simulated.ok).toBe(true);
    if (!simulated.ok) return;
    const { runId, ...outcome } = simulated.value as FireSaleOutcome & { runId: number };
    expect(runId).toBeGreaterThan(0);

    const listed = await app.router.handle('runs:list', { kind: 'firesale' });
    expect(listed.ok && listed.value).toEqual([
      expect.objectContaining({ id: runId, kind: 'firesale', status: 'succeeded', seed: null, networkVersionId: null }),
    ]);
    const summary = (listed.ok ? (listed.value as unknown[]) : [])[0] as {
      id: number;
      kind: string;
      method: string;
      startedAt: string;
    };
    // pickers show it in words: no kind identifier
    expect(runLabel(summary)).toMatch(new RegExp(`^#${runId} fire-sale equilibrium — `));
    expect(runKindLabel('firesale')).toBe('Fire-sale equilibrium');
    expect(summary.method).not.toMatch(/leverage-target|firesale/);

    const got = await app.router.handle('runs:get', { id: runId });
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    const run = got.value as { params: { system: FireSaleDocument }; results: FireSaleRunResults };
    expect(run.params.system).toEqual(system);
    const { results } = run;
    // the outcome returned is the outcome saved, plus what a brief reads
    expect(results).toMatchObject(outcome);
    expect(results.tolerance).toBe(1e-12);
    expect(results.converged).toBe(true);
    expect(results.initialPrices).toEqual([1, 1]);
    expect(results.scenario).toContain('liabilities after the shock of 0.7 to 0.8');
    // liabilities per bank and asset add up to the units sold of each asset; losses per asset to the total loss
    results.assetIds.forEach((_, m) =>
      expect(results.bankLiquidations.reduce((sum, row) => sum + row[m]!, 0)).toBeCloseTo(
        results.assetLiquidations[m]!,
        12,
      ),
    );
    expect(results.assetLosses.reduce((a, b) => a + b, 0)).toBeCloseTo(results.totalLoss, 12);
  });

  it('only shows the equilibrium with save: false, and saves nothing for a system it refuses', async () => {
    app = freshApp();
    const system = await example('case1-linear');
    const preview = await app.router.handle('firesales:simulate', { system, save: false });
    expect(preview).toMatchObject({ ok: true, value: { runId: null, converged: true } });
    const refused = await app.router.handle('firesales:simulate', {
      system: { ...system, holdings: [{ bank: 'bank 9', asset: 'asset 1', units: 1 }] },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await app.router.handle('runs:list', { kind: 'firesale' })).toEqual({ ok: true, value: [] });
  });
});
