import { afterEach, describe, expect, it } from 'vitest';
import type { HoldingsGraph } from '../../src-shared/domain';
import { freshApp } from '../support/app';
import { picked } from '../support/fixtures';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

/** 30 investors × 50 assets over two dates; investor k holds asset j with amount (k + 1)(j + 1) when k + j is even. */
function holdingsCsv(): { csv: string; total: Map<string, number> } {
  const lines = ['investor,asset,date,amount,investor_type'];
  const total = new Map<string, number>();
  for (const date of ['2024-03-31', '2024-06-30']) {
    for (let k = 0; k < 30; k++) {
      for (let j = 0; j < 50; j++) {
        if ((k + j) % 2 !== 0) continue;
        const amount = (k + 1) * (j + 1) * (date === '2024-06-30' ? 2 : 1);
        lines.push(`I${k},A${j},${date},${amount},${k % 3 === 0 ? 'bank' : 'fund'}`);
        total.set(date, (total.get(date) ?? 0) + amount);
      }
    }
  }
  return { csv: `${lines.join('\n')}\n`, total };
}

describe('holdings graph', () => {
  it('keeps the largest investors and assets and counts exactly what it hides', async () => {
    app = freshApp();
    const { csv, total } = holdingsCsv();
    const imported = await app.router.handle('datasets:importHoldings', picked(app, 'h.csv', csv));
    if (!imported.ok) throw new Error(imported.error.message);
    const datasetId = (imported.value as { datasetId: number }).datasetId;
    const result = await app.router.handle('holdings:graph', { datasetId, topInvestors: 5, topAssets: 10 });
    if (!result.ok) throw new Error(result.error.message);
    const graph = result.value as HoldingsGraph;
    expect(graph.date).toBe('2024-06-30');
    expect(graph.dates).toEqual(['2024-03-31', '2024-06-30']);
    // Independent ranking: investor k's total at the later date is Σ over j with k + j even of 2(k + 1)(j + 1).
    const investorTotal = (k: number) =>
      Array.from({ length: 50 }, (_, j) => ((k + j) % 2 === 0 ? 2 * (k + 1) * (j + 1) : 0)).reduce((a, b) => a + b, 0);
    const expected = Array.from({ length: 30 }, (_, k) => k)
      .sort((a, b) => investorTotal(b) - investorTotal(a))
      .slice(0, 5);
    expect(graph.investors.map((i) => i.code)).toEqual(expected.map((k) => `I${k}`));
    expect(graph.investors.map((i) => i.total)).toEqual(expected.map(investorTotal));
    expect(graph.assets).toHaveLength(10);
    expect(graph.investors.length + graph.hidden.investors).toBe(30);
    expect(graph.assets.length + graph.hidden.assets).toBe(50);
    expect(graph.positions.length + graph.hidden.positions).toBe(750);
    const shown = graph.positions.reduce((sum, p) => sum + p.amount, 0);
    expect(shown + graph.hidden.amount).toBeCloseTo(total.get('2024-06-30')!, 6);
    const shownInvestors = new Set(graph.investors.map((i) => i.code));
    const shownAssets = new Set(graph.assets.map((a) => a.code));
    for (const p of graph.positions) expect(shownInvestors.has(p.investor) && shownAssets.has(p.asset)).toBe(true);

    const banks = await app.router.handle('holdings:graph', {
      datasetId,
      date: '2024-03-31',
      topInvestors: 100,
      topAssets: 100,
      investorType: 'bank',
    });
    if (!banks.ok) throw new Error(banks.error.message);
    expect((banks.value as HoldingsGraph).investors.every((i) => i.type === 'bank')).toBe(true);
    expect((banks.value as HoldingsGraph).investors).toHaveLength(10);

    const missing = await app.router.handle('holdings:graph', { datasetId, date: '2023-01-01' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found', field: 'date' } });
    const badDate = await app.router.handle('holdings:graph', { datasetId, date: '31/03/2024' });
    expect(badDate).toMatchObject({ ok: false, error: { code: 'invalid_input', field: 'date' } });
  });
});
