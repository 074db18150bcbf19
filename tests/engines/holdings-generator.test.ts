import { describe, expect, it } from 'vitest';
import { generateHoldings, plantedTradeCorrelation } from '../../src-main/engines/holdings-generator';
import {
  assetCharacteristics,
  correlation,
  investorCharacteristics,
  tradeZScores,
} from '../../src-main/engines/holdings-panel';

const options = { investors: 60, assets: 120, dates: 6, positionsPerInvestor: 8, seed: 5 };

describe('synthetic holdings generator', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const a = generateHoldings(options);
    const b = generateHoldings(options);
    const c = generateHoldings({ ...options, seed: 6 });
    expect(Array.from(a.snapshots[3]!.amount)).toEqual(Array.from(b.snapshots[3]!.amount));
    expect(
      a.snapshots[0]!.amount.length === c.snapshots[0]!.amount.length &&
        a.snapshots[0]!.amount[0] === c.snapshots[0]!.amount[0],
    ).toBe(false);
  });

  it('makes quarter-end dates, one position per investor and asset, positive amounts, a stress index above 1.5 exactly in stress quarters', () => {
    const panel = generateHoldings({ ...options, stressDates: [2] });
    expect(panel.snapshots.map((s) => s.date)).toEqual([
      '2015-03-31',
      '2015-06-30',
      '2015-09-30',
      '2015-12-31',
      '2016-03-31',
      '2016-06-30',
    ]);
    for (const snapshot of panel.snapshots) {
      const keys = new Set(Array.from(snapshot.investor, (i, k) => i * options.assets + snapshot.asset[k]!));
      expect(keys.size).toBe(snapshot.amount.length);
      expect(snapshot.amount.every((q) => q > 0)).toBe(true);
    }
    expect(panel.stressIndex.map((row) => row.value > 1.5)).toEqual([false, false, true, false, false, false]);
    expect(panel.investors.filter((i) => i.type === 'ETF').every((i) => i.style === 'passive')).toBe(true);
  });

  it('plants a trade signal that is visible in the realised z-scores and absent for passive investors', () => {
    const panel = generateHoldings({ ...options, investors: 120, assets: 200 });
    expect(plantedTradeCorrelation(panel)).toBeGreaterThan(0.4);
    const passive = new Set(panel.investors.flatMap((row, i) => (row.style === 'passive' ? [i] : [])));
    const signal = panel.plantedSignal[0]!;
    expect(Array.from(panel.snapshots[0]!.investor).every((i, k) => !passive.has(i) || signal[k] === 0)).toBe(true);
  });

  it('computes z-scores with mean 0 and standard deviation 1 over each asset holders (eq. 22)', () => {
    const panel = generateHoldings(options);
    const [now, next] = panel.snapshots;
    const z = tradeZScores(now!, next!, options.assets);
    const byAsset = new Map<number, number[]>();
    z.forEach((value, k) => {
      if (!Number.isFinite(value)) return;
      const list = byAsset.get(now!.asset[k]!) ?? [];
      list.push(value);
      byAsset.set(now!.asset[k]!, list);
    });
    expect(byAsset.size).toBeGreaterThan(10);
    for (const values of byAsset.values()) {
      const mean = values.reduce((s, v) => s + v, 0) / values.length;
      const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
      expect(mean).toBeCloseTo(0, 10);
      expect(variance).toBeCloseTo(1, 10);
    }
  });

  it('computes node characteristics from the positions when the data give none', () => {
    const panel = generateHoldings(options);
    const snapshot = panel.snapshots[0]!;
    const investors = investorCharacteristics(panel, snapshot);
    const assets = assetCharacteristics(panel, snapshot);
    const first = Array.from(snapshot.amount).filter((_, k) => snapshot.investor[k] === 0);
    const mean = first.reduce((s, q) => s + q, 0) / first.length;
    expect(investors.count[0]).toBe(first.length);
    expect(investors.meanPosition[0]).toBeCloseTo(mean, 8);
    expect(investors.size[0]).toBeCloseTo(
      first.reduce((s, q) => s + q, 0),
      6,
    ); // AUM not given: sum of positions
    expect(investors.stdPosition[0]).toBeCloseTo(
      Math.sqrt(first.reduce((s, q) => s + (q - mean) ** 2, 0) / (first.length - 1)),
      6,
    );
    expect(assets.count.reduce((s, n) => s + n, 0)).toBe(snapshot.amount.length);
    expect(assets.size[0]).toBe(panel.assets[0]!.amountOutstanding); // given: kept
  });

  it('correlation is Pearson and skips non-finite pairs', () => {
    expect(correlation([1, 2, 3, Number.NaN], [2, 4, 6, 1])).toBeCloseTo(1, 12);
    expect(correlation([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(Number.isNaN(correlation([1, 2], [1, 2]))).toBe(true);
  });
});
