import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxentFromDocument, withLiabilities } from '../../src-main/engines/maxent';
import { toClearingSystem } from '../../src-main/engines/network-arrays';
import { runStressBatch, summariseStress } from '../../src-main/engines/stress';
import { documentFromBalanceRows, type BankBalanceRow } from '../../src-main/engines/synthetic';

const tablePath = resolve(import.meta.dirname, '../data/glasserman-young-2015-table.csv');

interface TableRow extends BankBalanceRow {
  outsideAssets: number;
  beta: number;
  lambda: number;
}

function readTable(): TableRow[] {
  const lines = readFileSync(tablePath, 'utf8')
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return {
      id: cells[0]!,
      totalAssets: Number(cells[1]),
      interbankExposure: Number(cells[2]),
      outsideAssets: Number(cells[3]),
      netWorth: Number(cells[4]),
      beta: Number(cells[5]),
      lambda: Number(cells[6]),
    };
  });
}

describe('Glasserman & Young (2015) table', () => {
  const rows = readTable();

  it('has 76 banks', () => {
    expect(rows).toHaveLength(76);
  });

  it('reproduces c_i = assets − EAD, λ_i = c_i / w_i and β_i = EAD / (assets − w_i) to the table’s rounding', () => {
    const document = documentFromBalanceRows('GY', rows);
    const system = toClearingSystem(withLiabilities(document, maxentFromDocument(document).matrix));
    const offBeta: string[] = [];
    rows.forEach((row, i) => {
      expect(Math.abs(row.totalAssets - row.interbankExposure - row.outsideAssets), row.id).toBeLessThanOrEqual(1);
      expect(system.outsideAssets[i]).toBe(row.totalAssets - row.interbankExposure);
      // net worth from the network identities equals the table's w_i
      expect(system.netWorth[i]).toBeCloseTo(row.netWorth, 3);
      expect(Math.abs(row.outsideAssets / row.netWorth - row.lambda), row.id).toBeLessThanOrEqual(0.05 + 1e-9);
      // β_i = (p̄_i − b_i)/p̄_i with p̄_i = assets − w_i and inside liabilities = EAD
      // the table prints 2 decimals: 70 of 76 rows round exactly, 6 (DE028, CY006, PT053, PT055, SE084, SE085)
      // are off by less than one unit of the last decimal
      expect(Math.abs(system.connectivity[i]! - row.beta), row.id).toBeLessThan(0.01);
      if (Math.abs(system.connectivity[i]! - row.beta) > 0.005 + 1e-9) offBeta.push(row.id);
      expect(system.connectivity[i]).toBeCloseTo(row.interbankExposure / (row.totalAssets - row.netWorth), 9);
    });
    expect(offBeta.sort()).toEqual(['CY006', 'DE028', 'PT053', 'PT055', 'SE084', 'SE085']);
  });

  /*
   * The bound tested: for shocks with uniform marginals x_i ~ U[0, f c_i] (any dependence between banks) and
   * w_i ≥ 0, E[L]/E[L⁰] ≤ 1 + NVI with NVI = Σ δ_i c_i / ((1 − β⁺) Σ c_i), δ_i = P(x_i ≥ w_i). Pathwise,
   * L − L⁰ ≤ Σ_i (x_i − w_i)⁺ (u_i − 1) ≤ β⁺/(1 − β⁺) Σ_i (x_i − w_i)⁺ since u_i ≤ 1/(1 − β⁺); and for the uniform
   * marginal E[(x_i − w_i)⁺] = δ_i (f c_i − w_i)/2 ≤ δ_i f c_i / 2 while E[L⁰] = f Σ c_i / 2 — the independent-shock
   * setting of GY 2015 §4 is one case. The test checks the simulated ratio (plus 3 standard errors) stays below.
   */
  it('the simulated loss ratio respects the Glasserman–Young bound on the maxent network', () => {
    const document = documentFromBalanceRows('GY', rows);
    const reconstruction = maxentFromDocument(document);
    expect(reconstruction.converged).toBe(true);
    const system = toClearingSystem(withLiabilities(document, reconstruction.matrix));
    for (const model of [
      { kind: 'uniform' as const, maxFraction: 1 },
      { kind: 'uniform' as const, maxFraction: 0.1 },
      { kind: 'copula' as const, rho: 0.5, marginal: 'uniform' as const, maxFraction: 0.2 },
    ]) {
      const summary = summariseStress(runStressBatch(system, model, 11, 0, 4000));
      expect(summary.lossRatio).toBeGreaterThanOrEqual(1 - 1e-12);
      expect(summary.lossRatio! - 3 * summary.lossRatioStandardError!).toBeLessThanOrEqual(
        summary.glassermanYoungBound!,
      );
      expect(summary.nviEstimated).toBeCloseTo(summary.nvi!, 1);
    }
  });
});
